"""`python -m declutter` runs the CLI."""

import sys

from .cli import main

sys.exit(main())
