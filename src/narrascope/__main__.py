"""``python -m narrascope`` runs the command line."""

import sys

from narrascope.cli import main

sys.exit(main())
