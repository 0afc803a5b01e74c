"""The config.json dialect, variant by variant: the warnings each file gives and the spec it makes.

Each file in tests/fixtures/dialect/ is our own, written the way people write config.json for
ModelArts (PyTorch, TensorFlow and MindSpore style files with dependencies, comments, trailing
commas, GBK-encoded Chinese descriptions, language type names, misplaced brackets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ma_widgets.render import import_document, read_document, to_config
from ma_widgets.render.notes import split_path

DIALECT = Path(__file__).resolve().parents[2] / "fixtures" / "dialect"
IMAGE = "swr.cn-north-4.myhuaweicloud.com/team/model:1.0"


def imported(name: str):
    return import_document(read_document(DIALECT / name), name="model", image=IMAGE)


def at(data: Any, path: str) -> Any:
    for step in split_path(path):
        data = data[int(step)] if isinstance(data, list) else data[step]
    return data


# (file, [(warning path, words the message must contain)], {spec path: value it must have})
CASES = [
    (
        "pytorch_comments.json",
        [
            ("", "2 // comments (first at line 2) and 1 /* */ comment (line 30)"),
            ("model_type", "'PyTorch' is not 'Image'"),
            ("apis.0.response.data.properties.scores.type", "'list' is not a JSON Schema type"),
            ("apis.0.response.data.properties.scores.items.type", "read as 'array'"),
            ("dependencies", "torch==1.8.0, torchvision==0.9.0, Pillow>=8.0.0"),
            ("dependencies", "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64"),
        ],
        {
            "apis.0.request.content_type": "multipart/form-data",
            "apis.0.request.data.properties.images": {"type": "file"},
            "apis.0.response.data.properties.scores": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "string"}},
            },
            "metrics.accuracy": 0.93,
        },
    ),
    (
        "tensorflow_trailing_commas.json",
        [
            ("", "12 trailing commas (first at line 15)"),
            ("apis.0.request.data.properties.features.items.type", "'float'"),
            ("apis.0.response.data.properties.price.type", "'double'"),
            ("apis.0.response.data.properties.model_version.type", "read as 'integer'"),
            ("dependencies", "numpy>=1.15.0, pandas<=0.24.2, scikit-learn"),
        ],
        {
            "apis.0.request.data.properties.features.items": {"type": "number"},
            "apis.0.response.data.properties.model_version": {"type": "integer"},
        },
    ),
    (
        "mindspore_gbk.json",
        [
            ("", "is GB18030 text, not UTF-8"),
            ("", "iconv -f GB18030 -t UTF-8"),
            ("apis.0.response.data.properties.confidence.type", "'float'"),
            ("dependencies", "numpy==1.21.6, Pillow>=9.0.0"),
        ],
        {
            "apis.0.request.data.properties.images.description": "待识别的花卉图片（jpg或png格式）",
            "apis.0.response.data.properties.confidence.type": "number",
        },
    ),
    (
        "type_names.json",
        [
            ("apis.0.request.data.type", "'Object'"),
            ("apis.0.request.data.properties.tokens.item", "typo read as 'items'"),
            ("apis.0.request.data.properties.tokens.item.type", "'str'"),
            ("apis.0.request.data.properties.weights.items.type", "'FLOAT'"),
            ("apis.0.request.data.properties.steps.type", "'long'"),
            ("apis.0.request.data.properties.seed.type", "'Integer'"),
            ("apis.0.request.data.properties.options.type", "'dict'"),
            ("apis.0.request.data.properties.extra.type", "'json'"),
            ("apis.0.request.data.properties.lookup.type", "'map'"),
            ("apis.0.request.data.properties.verbose.type", "'bool'"),
            ("apis.0.request.data.properties.title.type", "'String'"),
            ("apis.0.response.data.type.0", "'double'"),
        ],
        {
            "apis.0.request.data.properties.tokens": {"type": "array", "items": {"type": "string"}},
            "apis.0.request.data.properties.seed": {"type": "integer"},
            "apis.0.request.data.properties.extra": {"type": "object"},
            "apis.0.request.data.properties.verbose": {"type": "boolean"},
            # a property *named* type is a name, never rewritten
            "apis.0.request.data.properties.type": {"type": "string"},
            "apis.0.response.data.type": ["number", "null"],
        },
    ),
    (
        "response_inside_request.json",
        [
            ("apis.0.request.response", "moved to the api"),
            ("apis.0.request.response.data.properties.detection_boxes.item", "'items'"),
        ],
        {
            "apis.0.url": "/detect",
            "apis.0.request.data.properties.images": {"type": "file"},
            "apis.0.response.data.properties.detection_boxes": {
                "type": "array",
                "items": {"type": "array"},
            },
        },
    ),
    (
        "top_level_request.json",
        [("request", "read as one api (post /)")],
        {
            "apis.0.url": "/",
            "apis.0.method": "post",
            "apis.0.request.data.properties.text": {"type": "string"},
            "apis.0.response.data.properties.label": {"type": "string"},
        },
    ),
    (
        "required_beside_data.json",
        [("apis.0.request.required", "moved into the schema")],
        {"apis.0.request.data.required": ["age", "income"]},
    ),
]


@pytest.mark.parametrize(("name", "warnings", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_dialect_variant_imports_with_its_warnings(name, warnings, expected) -> None:
    result = imported(name)
    spec = result.validate()  # every variant ends as a valid spec
    assert result.problems() == []
    for path, words in warnings:
        assert any(w.path == path and words in w.message for w in result.warnings), (
            f"no warning at {path!r} with {words!r}: {[str(w) for w in result.warnings]}"
        )
    for path, value in expected.items():
        assert at(result.data, path) == value, path
    # ... and renders back with its apis and schemas
    config = to_config(spec)
    assert len(config["apis"]) == len(result.data["apis"])
    assert all(
        "data" in part for api in config["apis"] for part in api.values() if isinstance(part, dict)
    )
    # ... which reads back as the same apis, with nothing left to warn about in them
    again = import_document(read_document(config), name="model", image=IMAGE)
    assert again.validate().apis == spec.apis
    assert [w for w in again.warnings if w.path.startswith("apis")] == []


def test_every_warning_path_of_the_table_exists_in_its_file() -> None:
    for name, *_ in CASES:
        document = read_document(DIALECT / name)
        for warning in imported(name).warnings:
            if warning.path:
                at(document.data, warning.path)  # raises KeyError/IndexError if it does not


def test_still_invalid_schemas_report_every_problem_at_the_users_path() -> None:
    """All four at once, in the file's spelling (item, not items), in sentences."""
    problems = imported("still_invalid.json").problems()
    base = "apis.0.request.data"
    assert [p.path for p in problems] == [
        f"{base}.properties.image.type",
        f"{base}.properties.labels.item.type",
        f"{base}.properties.size.minimum",
        f"{base}.required",
    ]
    assert problems[0].message.startswith("'picture' is not a JSON Schema type; use one of")
    assert problems[1].message.startswith("'strng' is not a JSON Schema type")
    assert all("{'" not in p.message and "['" not in p.message for p in problems)  # no reprs


def test_lenient_numbers_become_field_problems_never_exceptions() -> None:
    result = imported("lenient_numbers.json")
    by_path = {w.path: w.message for w in result.warnings}
    assert by_path["port"].startswith("'--5' is not a whole number")
    assert by_path["health.initial_delay_seconds"].startswith("'1²' is not a whole number")
    assert by_path["health.period_seconds"].startswith("'--1' is not a whole number")
    assert "too large for a metric" in by_path["metrics.accuracy"]
    assert result.data["health_check"]["timeout"] == 5  # " 5 " is a number
    assert sorted(p.path for p in result.problems()) == [
        "health.initial_delay_seconds",
        "health.period_seconds",
        "port",
    ]


def test_a_request_bodys_initial_config_is_read_in_the_same_dialect() -> None:
    from ma_widgets.render import import_request_body

    body = {
        "model_name": "m",
        "source_location": IMAGE,
        "install_type": ["real-time"],
        "initial_config": '{"model_type": "Image", // ours\n "model_algorithm": "a",\n'
        ' "apis": [{"url": "/", "request": {"data": {"type": "list"}}}],}',
    }
    result = import_request_body(body)
    assert result.validate().apis[0].request.data == {"type": "array"}  # type: ignore[union-attr]
    messages = [str(w) for w in result.warnings]
    assert any(m.startswith("initial_config: (line 1) has 1 // comment (line 1)") for m in messages)
    assert "initial_config.apis.0.request.data.type: 'list' is not a JSON Schema type; " \
        "read as 'array'" in messages  # fmt: skip
