"""The preview shows, and its download links hold, exactly what the CLI writes.

WHY: the preview is the user's check of what will be sent; a tab that formats JSON its own way
(it once had a hand-written cache of indented parts) can drift from the file a download or
``ma-widgets render`` gives them.
"""

from __future__ import annotations

import base64
import html
import io
import re
from contextlib import redirect_stdout
from typing import Any

import pytest

from ma_widgets.cli import main
from ma_widgets.render import pretty, to_config, to_request_body
from ma_widgets.spec import ModelImportSpec, validate_spec
from ma_widgets.widgets.preview import Preview
from tests.unit.widgets.conftest import EXAMPLES, VALID, example


def _cli(*argv: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(argv)) == 0
    return out.getvalue()


def _download(pane_html: str) -> str:
    found = re.search(r'href="data:application/json;base64,([^"]+)"', pane_html)
    assert found is not None
    return base64.b64decode(found.group(1)).decode("utf-8")


def _shown(pane_html: str) -> str:
    found = re.search(r"<pre[^>]*>(.*)</pre>", pane_html, re.S)
    assert found is not None
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("index", "as_"), [(0, "config"), (1, "request")])
def test_each_tab_shows_and_downloads_what_the_cli_renders(index: int, as_: str) -> None:
    spec = validate_spec(example("complete.json"))
    preview = Preview()
    preview.show(spec, 0)
    render = to_config if as_ == "config" else to_request_body
    expected = pretty(render(spec)) + "\n"
    assert preview.texts[index] == expected
    assert _cli("render", str(EXAMPLES / "complete.json"), "--as", as_) == expected
    assert _download(preview.panes[index].value) == expected
    assert _shown(preview.panes[index].value) == expected


def test_a_tab_whose_text_did_not_change_sends_nothing() -> None:
    preview = Preview()
    spec = validate_spec(example("complete.json"))
    preview.show(spec, 0)
    sent: list[int] = []
    for index, pane in enumerate(preview.panes):
        pane.observe(lambda _change, index=index: sent.append(index), "value")
    renamed = spec.model_copy(update={"name": "renamed"})  # the name is in the body only
    preview.show(renamed, 0)
    assert sent == [1] and '"model_name": "renamed"' in (preview.texts[1] or "")
    preview.show(renamed, 0)
    assert sent == [1]


def test_with_problems_the_last_valid_text_stays_marked_out_of_date() -> None:
    preview = Preview()
    spec: Any = ModelImportSpec.model_validate(VALID)
    preview.show(spec, 0)
    before = preview.texts[1]
    preview.show(None, 2)
    assert preview.stale and preview.texts == [None, None]
    assert "Out of date. Fix the 2 problems" in preview.panes[1].value
    assert _download(preview.panes[1].value) == before
    preview.show(spec, 0)
    assert not preview.stale and "Out of date" not in preview.panes[1].value
