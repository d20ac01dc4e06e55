"""The private Secret Service of packaging/secret_service.py as a pytest fixture.

packaging/ is not a package (the name would be the PyPI ``packaging`` library's), so the
helper is loaded from its file.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_packaging_secret_service", ROOT / "packaging" / "secret_service.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An unlocked GNOME Keyring on a private D-Bus session bus, started here and stopped
    after the module: the environment a child process needs to use it (this source tree on
    its PYTHONPATH)."""
    module = helper()
    assert not module.missing_tools(), (
        f"{module.missing_tools()} missing: run packaging/dev-setup.sh (apt: dbus, "
        "gnome-keyring)")
    with module.private_secret_service(tmp_path_factory.mktemp("secret-service")) as env:
        yield {**env, "PYTHONPATH": str(ROOT)}
