"""Run the core test suite with PySide6 and qasync made unimportable.

Usage: python tests/without_qt.py [pytest args]   (default: tests/core tests/e2e)

Proves that ``app`` needs no Qt: any import of PySide6, shiboken6 or qasync anywhere in the
run fails with ImportError, as on a machine where they are not installed.
"""

from __future__ import annotations

import importlib.abc
import sys

BLOCKED = ("PySide6", "shiboken6", "qasync")


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is blocked: the core must run without Qt")
        return None


def main(argv: list[str]) -> int:
    sys.meta_path.insert(0, _Blocker())
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED:
            del sys.modules[name]
    import pytest

    args = argv or ["tests/core", "tests/e2e"]
    return int(pytest.main(["-p", "no:pytest-qt", *args]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
