"""The form's CSS: JupyterLab's own theme variables, so light and dark themes both read well.

No colour is hard-coded: every colour is a ``--jp-*`` variable (JupyterLab, Notebook 7 and
Voila define them), each with a neutral fallback for front ends that do not.
"""

CSS = """
<style>
.ma-app { color: var(--jp-ui-font-color1, inherit); max-width: 60em; }
.ma-section { border-top: 1px solid var(--jp-border-color2, #8884); padding: 4px 0 8px 0; }
.ma-section-title, .ma-title { font-weight: 600; font-size: var(--jp-ui-font-size2, 1.1em);
  color: var(--jp-ui-font-color0, inherit); margin: 6px 0 4px 0; }
.ma-group-title { font-weight: 600; color: var(--jp-ui-font-color1, inherit); }
.ma-row { align-items: flex-start; margin: 2px 0; }
.ma-label { width: 13em; min-width: 13em; flex: 0 0 13em; }
.ma-label .ma-label-text { white-space: normal; line-height: 1.3; display: inline-block;
  padding-top: 5px; color: var(--jp-ui-font-color1, inherit); }
.ma-field { flex: 1 1 auto; min-width: 0; }
.ma-help { font-size: var(--jp-ui-font-size0, 0.85em); color: var(--jp-ui-font-color2, inherit);
  line-height: 1.3; white-space: normal; max-width: 40em; }
.ma-error { color: var(--jp-error-color1, #d32f2f); font-size: var(--jp-ui-font-size1, 0.95em);
  white-space: pre-wrap; }
.ma-status-ok { color: var(--jp-success-color1, #388e3c); font-weight: 600; }
.ma-status-bad { color: var(--jp-error-color1, #d32f2f); font-weight: 600; }
.ma-load-ok { color: var(--jp-ui-font-color2, inherit); white-space: pre-wrap; }
.ma-group-body, .ma-item { margin-left: 0; padding-left: calc(1em - 2px);
  border-left: 2px solid var(--jp-border-color2, #8884); }
/* Nested groups are indented by 1em: their labels are 1em narrower, so every input lines up. */
.ma-group-body .ma-label { width: 12em; min-width: 12em; flex-basis: 12em; }
.ma-group-body .ma-group-body .ma-label { width: 11em; min-width: 11em; flex-basis: 11em; }
.ma-group-body .ma-group-body .ma-group-body .ma-label { width: 10em; min-width: 10em;
  flex-basis: 10em; }
.ma-json textarea, .ma-preview-text { font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 0.9em); }
.ma-preview-text { background: var(--jp-layout-color2, transparent);
  color: var(--jp-content-font-color1, inherit); padding: 6px; max-height: 28em; overflow: auto;
  border: 1px solid var(--jp-border-color2, #8884); }
.ma-download { color: var(--jp-content-link-color, inherit); }
.ma-preview-blocked { color: var(--jp-ui-font-color2, inherit); font-style: italic; }
.ma-multi .widget-checkbox { margin-right: 1.5em; }
.ma-status-line { align-items: center; }
.ma-status-line .ma-status { margin-right: 1em; }
</style>
"""
