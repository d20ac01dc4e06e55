"""``python -m ui`` starts Creatify Studio (the same as the ``creatify-studio`` command)."""

import sys

from ui.main import main

sys.exit(main())
