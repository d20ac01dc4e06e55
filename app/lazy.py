"""Names a package loads on first use (PEP 562), so importing it stays cheap: the window's
first paint needs a few names of a package, not the modules behind the rest."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(namespace: dict[str, Any], package: str,
               homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__``: ``name`` is read from ``homes[name]`` when first asked for,
    then kept in ``namespace`` (the module's ``globals()``). A home without a dot is a module of
    ``package``; one with a dot is a full module name."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        module = home if "." in home else f"{package}.{home}"
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__


__all__ = ["lazy_names"]
