"""Entry point of the frozen bundle (the same as the ``creatify-studio`` command).

With the hidden first argument ``--serve-sandbox`` the executable serves the offline sandbox
instead (``app.session``'s sandbox process starts it so: there is no ``python -m`` in a
bundle); the window is then never imported.
"""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "--serve-sandbox":
    from app.sandbox.__main__ import main as serve_sandbox

    sys.exit(serve_sandbox(sys.argv[2:]))

from ui.main import main  # only when the window runs

sys.exit(main())
