"""Entry point of the frozen bundle (the same as the ``creatify-studio`` command)."""

import sys

from ui.main import main

sys.exit(main())
