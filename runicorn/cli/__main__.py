"""`python -m runicorn.cli`: the same as the `runicorn` command."""

import sys

from runicorn.cli import main

sys.exit(main())
