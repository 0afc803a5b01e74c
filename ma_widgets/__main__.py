"""``python -m ma_widgets`` runs the CLI."""

import sys

from ma_widgets.cli import main

sys.exit(main())
