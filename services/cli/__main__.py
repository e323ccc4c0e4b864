"""`python -m services.cli`: the `sitrep` command."""

import sys

from services.cli.main import main

sys.exit(main())
