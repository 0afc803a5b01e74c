"""Fuzz: number-heavy and deeply nested documents never make an entry point raise unexpectedly.

Every input is a plausible document (SPEC.json, config.json or a create-model request body)
with a few fields replaced by hostile values: huge integers (309 and 5000+ digits), numbers as
odd text ("--5", "1²", "٣"), NaN and Infinity, absurd sizes in schemas ("minItems": 300000000),
and values nested up to thousands of levels. Each goes through:

- spec validation (``validate_spec``): valid, or ``SpecValidationError``;
- the lenient importers (config.json and request body) and the validation of what they read;
- the emulator's create-body check: ``None`` or ``(code, message)``;
- the CLI's ``validate`` and ``import`` in-process on a file holding the document's text:
  exit 0, 1 or 2 with no traceback (the file text may hold numbers Python will not parse);
- the widget's ``load()`` (a form rebuild costs tens of ms, so it gets fewer examples).

Inputs are built from a handful of templates and replacement values (cheap to generate), and
the run is derandomized with no example database, so CI sees the same 10,000 inputs each time.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from ma_widgets.cli import main as cli_main
from ma_widgets.emulator.validate import check_create_body
from ma_widgets.errors import MaWidgetsError, SpecValidationError
from ma_widgets.render import import_config, import_request_body
from ma_widgets.spec import validate_spec

#: Inputs through validation, both importers and the emulator's body check.
EXAMPLES = 10_000
#: The same inputs' first examples through the CLI (argparse alone costs ~5 ms a call) and
#: through the widget's load() (a form rebuild costs tens of ms).
CLI_EXAMPLES = 400
WIDGET_EXAMPLES = 120


# -- values that JSON text can hold but Python objects cannot always print ---------------------
@dataclass(frozen=True)
class HugeInt:
    """An integer of ``digits`` nines: built as an int without printing, written as text."""

    digits: int
    negative: bool = False

    def value(self) -> int:
        number = 10**self.digits - 1
        return -number if self.negative else number

    def text(self) -> str:
        return ("-" if self.negative else "") + "9" * self.digits


@dataclass(frozen=True)
class Deep:
    """``leaf`` wrapped in ``levels`` lists, objects or schemas; built without recursion."""

    levels: int
    shape: str  # "list", "object" or "schema"
    leaf: Any

    def value(self) -> Any:
        node = materialize(self.leaf)
        for _ in range(self.levels):
            node = self._wrap(node)
        return node

    def _wrap(self, node: Any) -> Any:
        if self.shape == "list":
            return [node]
        if self.shape == "object":
            return {"k": node}
        return {"type": "array", "items": node}

    def text(self) -> str:
        if self.shape == "list":
            opening, closing = "[", "]"
        elif self.shape == "object":
            opening, closing = '{"k":', "}"
        else:
            opening, closing = '{"type":"array","items":', "}"
        return opening * self.levels + dump(self.leaf) + closing * self.levels


@dataclass(frozen=True)
class JsonString:
    """A JSON document inside a string (the request body's ``initial_config``)."""

    document: Any


def materialize(value: Any) -> Any:
    """The Python object a JSON parser with no limits would give."""
    if isinstance(value, HugeInt | Deep):
        return value.value()
    if isinstance(value, JsonString):
        return dump(value.document)
    if isinstance(value, dict):
        return {key: materialize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [materialize(item) for item in value]
    return value


def dump(value: Any) -> str:
    """JSON text, huge integers and deep nesting included (Python's json cannot write them)."""
    if isinstance(value, HugeInt | Deep):
        return value.text()
    if isinstance(value, JsonString):
        return json.dumps(dump(value.document))
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(item) for item in value) + "]"
    return json.dumps(value)  # NaN and Infinity are written as Python's json reads them


# -- hostile values, drawn from a seeded random.Random (cheap: one draw per example) -------------
NUMBER_TEXTS = ["--5", "1²", "٣", " 42 ", "+7", "1e999", "-1", "0x10", "1_000", "5" * 5000, ""]
SPECIAL_INTS = [0, -1, 1, 65535, 65536, 2**31 - 1, 2**31, 2**63, 2**64, 300_000_000, 10**12]
SPECIAL_FLOATS = [float("nan"), float("inf"), float("-inf"), 1e308, -0.0, 5e-324, 0.5]
HUGE_DIGITS = [19, 309, 310, 4300, 4301, 5000]
LEVELS = [1, 2, 10, 63, 65, 100, 101, 164, 1000, 5000]
TEXTS = ["", "x", "/health", "busybox:ｍ", "a\u202eb", "cat /tmp/ready\x00", "\ud800"]
SIZE_KEYWORDS = ["minItems", "maxItems", "minLength", "minProperties", "minimum", "multipleOf"]


def a_number(rng: random.Random) -> Any:
    roll = rng.randrange(8)
    if roll == 0:
        return rng.randint(-(2**70), 2**70)
    if roll == 1:
        return rng.choice(SPECIAL_INTS)
    if roll == 2:
        return HugeInt(rng.choice(HUGE_DIGITS), rng.random() < 0.3)
    if roll == 3:
        return rng.choice(SPECIAL_FLOATS)
    if roll == 4:
        return rng.uniform(-1e6, 1e6)
    if roll == 5:
        return rng.choice(NUMBER_TEXTS)
    return rng.choice([True, False, None, rng.randint(-10, 10)])


def a_schema(rng: random.Random) -> Any:
    if rng.random() < 0.2:
        return Deep(rng.choice(LEVELS), "schema", {"type": "integer"})
    schema: dict[str, Any] = {"type": rng.choice(["array", "string", "object", "integer", "file"])}
    for keyword in rng.sample(SIZE_KEYWORDS, rng.randrange(3)):
        schema[keyword] = a_number(rng)
    if rng.random() < 0.3:
        schema["items"] = {"type": "array", "minItems": a_number(rng)}
    return schema


def a_value(rng: random.Random) -> Any:
    roll = rng.randrange(10)
    if roll < 5:
        return a_number(rng)
    if roll < 7:
        leaf = a_number(rng) if rng.random() < 0.7 else rng.choice(TEXTS)
        return Deep(rng.choice(LEVELS), rng.choice(["list", "object", "schema"]), leaf)
    if roll < 8:
        return a_schema(rng)
    if roll < 9:
        return rng.choice(TEXTS)
    return [a_number(rng) for _ in range(rng.randrange(4))]


SPEC_PATHS = [
    ("port",),
    ("version",),
    ("image",),
    ("start_command",),
    ("metrics", "f1"),
    ("metrics",),
    ("health_check",),
    ("health_check", "mode"),
    ("health_check", "period"),
    ("health_check", "delay"),
    ("health_check", "url"),
    ("apis", 0, "request", "data"),
    ("apis", 0, "request", "data", "minItems"),
    ("apis", 0, "response", "data"),
    ("apis", 0, "url"),
    ("docs", 0, "url"),
    ("deployment_types",),
]
CONFIG_PATHS = [
    ("port",),
    ("protocol",),
    ("metrics", "f1"),
    ("metrics", "recall"),
    ("health", "period_seconds"),
    ("health", "initial_delay_seconds"),
    ("health", "failure_threshold"),
    ("health", "timeout_seconds"),
    ("health", "check_method"),
    ("health", "url"),
    ("apis", 0, "request", "data"),
    ("apis", 0, "request", "data", "minItems"),
    ("apis", 0, "response", "data"),
    ("apis",),
    ("model_algorithm",),
]
BODY_PATHS = [
    ("model_version",),
    ("source_location",),
    ("source_copy",),
    ("install_type",),
    ("model_docs",),
    ("cmd",),
]


def spec_template() -> dict[str, Any]:
    return {
        "name": "digits",
        "version": "0.0.1",
        "image": "swr.eu-de.otc.t-systems.com/class/digits:1.0",
        "deployment_types": ["real-time", "batch"],
        "health_check": {"mode": "http", "url": "/health", "period": 5, "delay": 12},
        "apis": [
            {
                "url": "/predict",
                "method": "post",
                "request": {"data": {"type": "object"}},
                "response": {"data": {"type": "object"}},
            }
        ],
        "docs": [{"name": "card", "url": "https://example.com/card"}],
        "metrics": {"f1": 0.5},
    }


def config_template() -> dict[str, Any]:
    return {
        "model_type": "Image",
        "model_algorithm": "predict_analysis",
        "port": "8080",
        "health": {"check_method": "HTTP", "url": "/health", "period_seconds": "5"},
        "apis": [
            {
                "url": "/predict",
                "method": "post",
                "request": {"Content-type": "application/json", "data": {"type": "object"}},
                "response": {"Content-type": "application/json", "data": {"type": "object"}},
            }
        ],
        "metrics": {"f1": 0.5},
    }


def body_template(config: Any) -> dict[str, Any]:
    return {
        "model_name": "digits",
        "model_version": "0.0.1",
        "source_location": "busybox:1",
        "source_copy": "true",
        "model_type": "Image",
        "install_type": ["real-time"],
        "initial_config": JsonString(config),
    }


def put(document: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Set ``path`` in ``document`` to ``value`` where the template has room for it."""
    target = document
    for part in path[:-1]:
        in_dict = isinstance(target, dict) and isinstance(target.get(part), dict | list)
        in_list = isinstance(target, list) and isinstance(part, int) and part < len(target)
        if not (in_dict or in_list):
            return
        target = target[part]
    if isinstance(target, dict):
        target[path[-1]] = value


def a_document(seed: int) -> tuple[str, Any]:
    """(kind, document with wrappers): a template with one to four hostile replacements."""
    rng = random.Random(seed)
    kind = rng.choice(["spec", "config", "body"])
    document: Any = spec_template() if kind == "spec" else config_template()
    paths = SPEC_PATHS if kind == "spec" else CONFIG_PATHS
    for _ in range(rng.randint(1, 4)):
        put(document, rng.choice(paths), a_value(rng))
    if kind == "body":
        document = body_template(document)
        for _ in range(rng.randrange(3)):
            put(document, rng.choice(BODY_PATHS), a_value(rng))
    if rng.randrange(20) == 0:  # now and then, the whole document is one hostile value
        document = a_value(rng)
    return kind, document


seeds = st.integers(min_value=0, max_value=2**64)


# -- the entry points ----------------------------------------------------------------------------
def through_the_importers(kind: str, data: Any) -> None:
    try:
        if kind == "body":
            result = import_request_body(data)
        else:
            result = import_config(data, name="digits", image="busybox:1")
        result.validate()
    except (MaWidgetsError, SpecValidationError):
        pass


def through_the_emulator(data: Any) -> None:
    answer = check_create_body(data)
    assert answer is None or (
        isinstance(answer, tuple) and answer[0].startswith("ModelArts.") and answer[1]
    ), answer


def through_the_cli(folder: Path, text: str) -> None:
    path = folder / "document.json"
    path.write_text(text, encoding="utf-8")
    for argv in (["validate", str(path)], ["import", str(path), "--name", "digits"]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(argv)
        assert code in (0, 1, 2), (argv, code, err.getvalue()[-2000:])
        assert "Traceback" not in err.getvalue() + out.getvalue(), err.getvalue()[-2000:]


@pytest.fixture(scope="module")
def folder() -> Any:
    with tempfile.TemporaryDirectory(prefix="ma-fuzz-") as name:
        yield Path(name)


def fuzz(examples: int) -> Any:
    """Fixed inputs (derandomized, no database); no shrinking: a seed has no smaller form, and
    the failing seed's document is printed (``note``)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def case_for(seed: int) -> tuple[str, Any, Any]:
    kind, document = a_document(seed)
    text = dump(document)
    note(f"seed {seed}: {kind}, {len(text)} characters: {text[:300]} ... {text[-100:]}")
    return kind, document, materialize(document)


@fuzz(EXAMPLES)
@given(seeds)
def test_no_input_makes_validation_the_importers_or_the_emulator_raise(seed: int) -> None:
    kind, _document, data = case_for(seed)
    with contextlib.suppress(SpecValidationError):
        validate_spec(data)
    through_the_importers(kind, data)
    through_the_emulator(data)


@fuzz(CLI_EXAMPLES)
@given(seeds)
def test_no_input_makes_the_cli_print_a_traceback(folder: Path, seed: int) -> None:
    _kind, document, _data = case_for(seed)
    through_the_cli(folder, dump(document))


_WIDGET: list[Any] = []


@pytest.fixture(scope="module")
def _one_widget() -> Any:
    """One widget for all examples, not passed as an argument: a failure would print its repr."""
    from ma_widgets import ModelImportWidget

    _WIDGET.append(ModelImportWidget())
    yield
    _WIDGET.pop().close()


@pytest.mark.usefixtures("_one_widget")
@fuzz(WIDGET_EXAMPLES)
@given(seeds)
def test_no_input_makes_the_widget_load_raise(seed: int) -> None:
    _kind, _document, data = case_for(seed)
    logging.disable(logging.CRITICAL)  # load() logs an unexpected error before raising it
    try:
        _WIDGET[0].load(data)
    except MaWidgetsError:
        pass
    finally:
        logging.disable(logging.NOTSET)
