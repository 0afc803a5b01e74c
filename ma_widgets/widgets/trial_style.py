"""The trial panel's CSS: the picture's classes and the callout, in the theme's colours.

Every colour is a ``--jp-*`` variable (JupyterLab, Notebook 7 and Voila define them, light and
dark), with a neutral fallback, as in :mod:`ma_widgets.widgets.style`. Shipped once with the
panel (an ``HTML`` widget), so the picture itself carries classes only: smaller redraws.
"""

from ma_widgets.widgets.trial_picture import PICTURE_CSS

PANEL_CSS = (
    "<style>"
    + PICTURE_CSS
    + """
.ma-trial .ma-callout { border-left: 4px solid var(--jp-error-color1, #d32f2f);
  background: var(--jp-layout-color2, transparent); padding: 4px 10px; margin: 6px 0; }
.ma-trial .ma-callout.ma-tone-warn { border-left-color: var(--jp-warn-color1, #f57c00); }
.ma-trial .ma-callout ul { margin: 4px 0; padding-left: 1.2em; }
.ma-trial .ma-callout strong { color: var(--jp-ui-font-color0, inherit); }
.ma-trial .ma-trial-rows { font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 0.9em); }
.ma-trial .ma-trial-rows caption { text-align: left; }
.ma-trial .ma-trial-rows td, .ma-trial .ma-trial-rows th { white-space: nowrap;
  overflow-wrap: normal; vertical-align: top; }
.ma-trial .ma-trial-rows td:nth-child(2) { white-space: normal; min-width: 16em; }
.ma-trial .ma-tr-bad td { color: var(--ma-error-text, #d32f2f); }
.ma-trial .ma-rows-box { max-height: 18em; overflow: auto; }
.ma-trial.ma-stale .ma-trial-picture, .ma-trial.ma-stale .ma-callout { opacity: 0.6; }
</style>"""
)
