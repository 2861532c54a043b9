"""``python -m bot`` is ``markbot``."""

import sys

from bot.cli import main

sys.exit(main())
