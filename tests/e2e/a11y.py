"""Browser checks the workflow tests share: axe-core on the widget, clipping, the focused field.

axe-core is the npm package (``npm install --prefix .artifacts/axe axe-core``, done by
scripts/dev.sh), injected into the page by Playwright and run on the widget only (never on
JupyterLab's own chrome). Under CI=true a missing axe-core fails the run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import require

REPO = Path(__file__).resolve().parents[2]
AXE_CANDIDATES = [
    Path(os.environ["MA_AXE_JS"]) if os.environ.get("MA_AXE_JS") else None,
    REPO / ".artifacts" / "axe" / "node_modules" / "axe-core" / "axe.min.js",
    REPO / "node_modules" / "axe-core" / "axe.min.js",
]

AXE_RUN = """async (every) => {
  const root = every ? '.ma-app' : document.querySelector('.ma-app');  // a selector: all of them
  const result = await axe.run(root, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
}"""

#: Every element of the widget that is drawn outside the widget's box, or cut by its own box
#: (text cut with an ellipsis, a scrolled-off right edge) while it does not scroll on purpose.
CLIPPED = """() => {
  const app = document.querySelector('.ma-app');
  const box = app.getBoundingClientRect();
  const out = [];
  for (const el of app.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    const style = getComputedStyle(el);
    if (r.width <= 1 || r.height <= 1) continue;  // visually hidden on purpose (a label for AT)
    if (el.closest('.widget-label-basic > span, .ma-named > .widget-label')) continue;
    const scrolls = ['auto', 'scroll'].includes(style.overflowX);
    const name = el.tagName + '.' + [...el.classList].join('.');
    if (r.right > box.right + 1 || r.left < box.left - 1) out.push('outside: ' + name);
    else if (!scrolls && style.overflowX === 'hidden' && el.scrollWidth > el.clientWidth + 1
             && el.children.length === 0 && el.textContent.trim())
      out.push('cut: ' + name + ' "' + el.textContent.trim().slice(0, 40) + '"');
  }
  return out;
}"""


def axe_path() -> Path:
    found = next((p for p in AXE_CANDIDATES if p is not None and p.exists()), None)
    require(found is not None, "axe-core (npm install --prefix .artifacts/axe axe-core)")
    assert found is not None
    return found


def serious_violations(page: Any, every_widget: bool = False) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations inside the (first, or every) widget."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    found = page.evaluate(AXE_RUN, every_widget)
    return [v for v in found if v["impact"] in ("critical", "serious")]


def clipped(page: Any) -> list[str]:
    return list(page.evaluate(CLIPPED))


def focused_row(page: Any) -> str:
    """The field-path class of the row holding the focused element ('' if none)."""
    return str(
        page.evaluate(
            """() => {
  const row = document.activeElement && document.activeElement.closest('.ma-row');
  return row ? [...row.classList].filter(c => c.startsWith('ma-path-')).join(' ') : '';
}"""
        )
    )
