"""The widget's CSS: JupyterLab's own theme variables, so light and dark themes both read well.

No colour is hard-coded: every colour is a ``--jp-*`` variable (JupyterLab, Notebook 7 and
Voila define them), each with a neutral fallback for front ends that do not. Narrow outputs (a
900 px window with JupyterLab's file browser open leaves ~470 px) wrap rows instead of
clipping them: labels go above their fields, long words break, buttons grow in height.
"""

CSS = """
<style>
.ma-app { color: var(--jp-ui-font-color1, inherit); max-width: 60em; min-width: 0;
  overflow-wrap: anywhere; --ma-error-text: var(--jp-error-color1, #d32f2f); }
/* Error text on a dark theme: --jp-error-color1 (#f44336) on Voila's #212121 is 4.37:1, under
   the 4.5:1 small text needs; the theme's lighter error colour reads well there. */
[data-jp-theme-light='false'] .ma-app { --ma-error-text: var(--jp-error-color2, #e57373); }
.ma-app .widget-box, .ma-app .widget-hbox, .ma-app .widget-vbox { min-width: 0;
  max-width: 100%; }
/* max-width counts the margin ipywidgets puts around each widget (2 px a side). */
.ma-app .widget-text, .ma-app .widget-textarea, .ma-app .widget-dropdown,
.ma-app .widget-password, .ma-app .widget-html, .ma-app .widget-inline-hbox,
.ma-app .widget-upload, .ma-app .widget-button, .ma-app .widget-progress {
  max-width: calc(100% - 2 * var(--jp-widgets-margin, 2px)); }
.ma-app .widget-html-content { white-space: normal; }
/* A control's own description label wraps instead of ending in an ellipsis. */
.ma-app .widget-label { white-space: normal; text-overflow: clip; overflow-wrap: anywhere;
  height: auto; line-height: 1.3; }
.ma-section { border-top: 1px solid var(--jp-border-color2, #8884); padding: 4px 0 8px 0; }
.ma-app .ma-title, .ma-app .ma-section-title, .ma-app .ma-subtitle { font-weight: 600;
  color: var(--jp-ui-font-color0, inherit); margin: 6px 0 4px 0; line-height: 1.3; }
.ma-app .ma-title { font-size: var(--jp-ui-font-size3, 1.25em); }
.ma-app .ma-section-title { font-size: var(--jp-ui-font-size2, 1.1em); }
.ma-app .ma-subtitle { font-size: var(--jp-ui-font-size1, 1em); }
.ma-group-title { font-weight: 600; color: var(--jp-ui-font-color1, inherit); }
.ma-row { align-items: flex-start; margin: 2px 0; flex-wrap: wrap; }
.ma-label { width: 13em; min-width: 13em; flex: 0 0 13em; }
.ma-label .ma-label-text { white-space: normal; line-height: 1.3; display: inline-block;
  padding-top: 5px; color: var(--jp-ui-font-color1, inherit); }
.ma-field { flex: 1 1 14em; min-width: 0; }
/* The description ipywidgets ties to an input names it for screen readers; the row shows its
   own label, so this one is hidden visually only (never display:none: that unnames it). */
.ma-named > .widget-label, .ma-named .widget-label-basic > span {
  position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; white-space: nowrap !important;
  padding: 0 !important; margin: -1px !important; }
.ma-help { font-size: var(--jp-ui-font-size0, 0.85em); color: var(--jp-ui-font-color2, inherit);
  line-height: 1.3; white-space: normal; max-width: 40em; }
.ma-error { color: var(--ma-error-text); font-size: var(--jp-ui-font-size1, 0.95em);
  white-space: pre-wrap; }
.ma-status-ok { color: var(--jp-success-color1, #388e3c); font-weight: 600; }
.ma-status-bad { color: var(--ma-error-text); font-weight: 600; }
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
  border: 1px solid var(--jp-border-color2, #8884); white-space: pre-wrap; }
/* The inactive tab's grey on grey is below 4.5:1 in Voila's theme: use the body text colour. */
.ma-app .widget-tab .lm-TabBar-tab, .ma-app .widget-tab .lm-TabBar-tabLabel {
  color: var(--jp-ui-font-color1, inherit) !important; }
.ma-download { color: var(--jp-content-link-color, inherit); }
.ma-preview-blocked { color: var(--jp-ui-font-color1, inherit); font-style: italic; }
.ma-stale .ma-preview-text, .ma-trial.ma-stale .ma-verdict { opacity: 0.6; }
.ma-stale-banner { color: var(--jp-warn-color0, inherit); font-weight: 600;
  border-left: 3px solid var(--jp-warn-color1, #f57c00); padding-left: 6px; }
.ma-multi { flex-wrap: wrap; }
.ma-multi .widget-checkbox { margin-right: 1.5em; }
.ma-status-line { align-items: center; flex-wrap: wrap; }
.ma-status-line .ma-status { margin-right: 1em; }
.ma-problem-link, .ma-step, .ma-next { white-space: normal !important; height: auto !important;
  min-height: var(--jp-widgets-inline-height, 28px); text-align: left; line-height: 1.3;
  padding-top: 3px; padding-bottom: 3px; }
.ma-problem-link { background: var(--jp-layout-color0, transparent) !important;
  box-shadow: none !important;
  color: var(--jp-content-link-color, inherit) !important; text-decoration: underline; }
.ma-step-bar, .ma-next-line, .ma-actions, .ma-schema-tools { flex-wrap: wrap; gap: 4px;
  align-items: center; }
.ma-steps { border-bottom: 1px solid var(--jp-border-color2, #8884); padding-bottom: 6px;
  margin-bottom: 6px; }
.ma-step { border-bottom: 3px solid var(--jp-layout-color0, transparent) !important; }
.ma-step.ma-step-current { border-bottom-color: var(--jp-brand-color1, #1976d2) !important;
  font-weight: 600; }
/* A step's tone is a coloured edge, not coloured text: text keeps the theme's contrast. */
.ma-step { border-left: 4px solid var(--jp-border-color2, #8884) !important; }
.ma-step.ma-tone-ok { border-left-color: var(--jp-success-color1, #388e3c) !important; }
.ma-step.ma-tone-bad { border-left-color: var(--jp-error-color1, #d32f2f) !important; }
.ma-step.ma-tone-busy { border-left-color: var(--jp-brand-color1, #1976d2) !important; }
.ma-next-label { margin-right: 4px; }
.ma-disclosure-toggle { background: var(--jp-layout-color0, transparent) !important;
  box-shadow: none !important;
  font-weight: 600; color: var(--jp-ui-font-color1, inherit) !important; }
.ma-app table.ma-table { border-collapse: collapse; }
.ma-app table.ma-table td, .ma-app table.ma-table th { padding: 1px 8px 1px 0;
  text-align: left; }
</style>
"""
