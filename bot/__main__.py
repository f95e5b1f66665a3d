"""`python -m bot` does what the `kopsehat` command does."""

import sys

from bot.cli import main

sys.exit(main())
