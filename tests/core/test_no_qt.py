"""The core imports no Qt: checked in a fresh interpreter with Qt made unimportable."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_core_module_imports_with_qt_blocked() -> None:
    code = textwrap.dedent("""
        import importlib, importlib.abc, pkgutil, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "qasync", "ui"):
                    raise ImportError("blocked " + name)
        sys.meta_path.insert(0, Block())
        import app
        names = [m.name for m in pkgutil.walk_packages(app.__path__, "app.")]
        for name in names:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "qasync"))
        assert not loaded, loaded
        print(len(names))
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10  # every app module was really imported
