"""Property: every warning of an import points at a place that exists in the user's file.

Documents are drawn from the words real config.json files use (right and wrong), so the
lenient reader's paths are exercised where they are hardest: typos, moved parts, schemas with
type names and ``item``, odd keys with dots and spaces.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ma_widgets.render import import_config
from ma_widgets.render.notes import split_path

KEYS = st.sampled_from(["a", "item", "items", "type", "x.y", "has space", "0", "label"])
TYPE_NAMES = st.sampled_from(
    ["list", "List", "float", "double", "int", "long", "str", "dict", "json", "map", "bool",
     "string", "object", "array", "file", "lst", 3, None]
)  # fmt: skip
leaf_schema = st.fixed_dictionaries({"type": TYPE_NAMES})
schemas = st.recursive(
    leaf_schema,
    lambda inner: (
        st.fixed_dictionaries({"type": TYPE_NAMES, "properties": st.dictionaries(KEYS, inner)})
        | st.fixed_dictionaries({"type": TYPE_NAMES, "item": inner | st.lists(inner, max_size=2)})
        | st.fixed_dictionaries({"items": inner, "required": st.lists(KEYS, max_size=2)})
    ),
    max_leaves=8,
)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.floats()
content_type = st.sampled_from(["application/json", "applicaton/json", "Multipart/Form-Data", 1])


def messages(with_response: bool) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "Content-type": content_type,
        "content-type": content_type,
        "contentType": content_type,
        "required": st.lists(KEYS, max_size=2) | scalars,
        "x": scalars,
    }
    if with_response:
        optional["response"] = messages(False) | scalars
    return st.fixed_dictionaries({}, optional={"data": schemas | scalars, **optional})


apis = st.dictionaries(
    st.sampled_from(["protocol", "procotol", "url", "method", "request", "response", "extra"]),
    scalars,
    max_size=4,
).flatmap(
    lambda api: st.builds(
        lambda request, response: {**api, "request": request, "response": response},
        messages(True) | scalars,
        messages(False) | scalars,
    )
)
health = st.dictionaries(
    st.sampled_from(
        ["check_method", "url", "cmd", "command", "protocol", "period_seconds",
         "initial_delay_seconds", "failure_threshold", "timeout_seconds", "other"]
    ),
    scalars,
    max_size=6,
)  # fmt: skip
configs = st.fixed_dictionaries(
    {},
    optional={
        "model_type": st.sampled_from(["Image", "PyTorch", "TensorFlow"]) | scalars,
        "model_algorithm": st.text(max_size=5),
        "metrics": st.dictionaries(st.sampled_from(["f1", "accuracy", "auc"]), scalars) | scalars,
        "port": scalars,
        "protocol": scalars,
        "apis": st.lists(apis, max_size=2) | scalars,
        "request": messages(True),
        "response": messages(False),
        "health": health | scalars,
        "runtime": scalars,
        "dependencies": st.lists(
            st.fixed_dictionaries(
                {"packages": st.lists(st.dictionaries(
                    st.sampled_from(["package_name", "package_version", "restraint"]), scalars
                ), max_size=2)}
            )
            | scalars,
            max_size=2,
        ) | scalars,
        "swr_location": scalars,
        "unknown key": scalars,
    },
)  # fmt: skip


def exists(document: Any, path: str) -> bool:
    node = document
    for step in split_path(path):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdecimal() and int(step) < len(node):
            node = node[int(step)]
        else:
            return False
    return True


@settings(max_examples=400, deadline=None)
@given(configs)
def test_every_warning_path_exists_in_the_input(config: dict[str, Any]) -> None:
    result = import_config(config, name="m", image="busybox:1")
    for warning in result.warnings:
        assert exists(config, warning.path), f"{warning} is not a place in {config}"
    for problem in result.problems():  # never raises, and every line is one sentence
        assert "\n" not in problem.message
