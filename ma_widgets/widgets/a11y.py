"""What ipywidgets cannot say to assistive technology, said by a few lines of browser code.

Accessible names come from ipywidgets itself: every input gets its row's label as its
``description``, which ipywidgets renders as a ``<label for=...>`` tied to the input; the
visible label stays our own, and CSS hides the description label visually only (style.py).

ipywidgets has no API for ``aria-invalid``, ``aria-describedby``, ``aria-expanded`` or
``aria-current``. ``AriaBridge`` is an anywidget (a kept library: plain ES module text, no
front-end build of our own, rendered by JupyterLab, Notebook 7 and Voila alike). Placed inside
the app, it finds the app's element and keeps these attributes in step with what the page
shows: a field whose row shows an error is ``aria-invalid`` and described by that error (and
its help text); the Advanced toggles say whether they are open; the current step is
``aria-current="step"``. It reads only the page (classes our widgets set), so it needs no
state of its own and re-applies itself when the page changes. It also tells the kernel when the
user leaves a schema editor, so a schema is checked then, not only when typing pauses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget

ESM = """
let counter = 0;
const uid = () => `ma-a11y-${Date.now().toString(36)}-${++counter}`;
const set = (el, name, value) => {
  if (value === null) { if (el.hasAttribute(name)) el.removeAttribute(name); }
  else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
};
const CONTROL = "input:not([type=file]):not([type=hidden]), select, textarea";

function apply(root) {
  for (const row of root.querySelectorAll(".ma-row")) {
    const field = row.querySelector(":scope > .ma-field");
    const holder = field && field.firstElementChild;
    if (!holder || holder.querySelector(".ma-row")) continue;  // a list of rows, not a field
    const controls = holder.matches(CONTROL) ? [holder] : [...holder.querySelectorAll(CONTROL)];
    if (!controls.length) continue;
    const slot = field.querySelector(":scope > .ma-error-slot");
    const error = slot && slot.querySelector(".ma-error");
    const help = slot && slot.querySelector(".ma-help");
    const ids = [];
    for (const part of [error, help]) {
      if (part) { if (!part.id) part.id = uid(); ids.push(part.id); }
    }
    for (const control of controls) {
      set(control, "aria-invalid", error ? "true" : null);
      set(control, "aria-describedby", ids.length ? ids.join(" ") : null);
    }
  }
  for (const toggle of root.querySelectorAll(".ma-disclosure-toggle")) {
    set(toggle, "aria-expanded", toggle.classList.contains("ma-open") ? "true" : "false");
  }
  for (const step of root.querySelectorAll(".ma-step")) {
    set(step, "aria-current", step.classList.contains("ma-step-current") ? "step" : null);
  }
}

export default {
  render({ model, el }) {
    el.classList.add("ma-a11y-bridge");
    let observer = null, timer = null, tries = 0, queued = false, root = null;
    const onLeave = (event) => {
      if (event.target.closest && event.target.closest(".ma-schema")) model.send({ left: true });
    };
    const schedule = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; if (root) apply(root); });
    };
    const attach = () => {
      root = el.closest(".ma-app");
      if (!root) {
        if (++tries < 200) timer = setTimeout(attach, 50);  // not in the page yet (10 s at most)
        return;
      }
      apply(root);
      observer = new MutationObserver(schedule);
      observer.observe(root, { subtree: true, childList: true, attributes: true,
                               attributeFilter: ["class"] });
      root.addEventListener("focusout", onLeave);
    };
    attach();
    return () => {
      clearTimeout(timer);
      if (observer) observer.disconnect();
      if (root) root.removeEventListener("focusout", onLeave);
    };
  },
};
"""


class AriaBridge(anywidget.AnyWidget):
    """Keeps the app's ARIA attributes in step with the page; reports leaving a schema editor."""

    _esm = ESM

    def __init__(self, on_leave: Callable[[], Any]) -> None:
        super().__init__()
        self.layout.display = "none"  # nothing to see: it only sets attributes
        self._on_leave = on_leave
        self.on_msg(self._message)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("left"):
            self._on_leave()
