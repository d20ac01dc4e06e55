"""Routing: what a handler sees (:class:`Call`), a :class:`Route`, and the table that
resolves a request path to one.

A route is a tuple of path segments (``"*"`` matches an id) and a handler per method. Paths
end with ``/`` as Django's do; the ``/_sandbox/`` control endpoints also answer without it.
The table itself (which operations exist) is in ``routes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sandbox.wire import Category, Request, Response, category_of

__all__ = ["ANY", "Call", "Handler", "Route", "RouteTable", "path_segments"]

ANY = "*"
"""A path segment that matches any non-empty id."""


def path_segments(path: str) -> tuple[str, ...]:
    """The segments of a resource's path such as ``/api/quick_ads/``. ``ValueError`` for a
    path no route can hold: no leading or trailing ``/``, fewer than two segments (its id
    route would catch every other ``/api/{name}/``), an empty or ``*`` segment, or under
    ``/_sandbox/``, ``/media/`` or ``/preview/``."""
    segments = tuple(path.strip("/").split("/"))
    if not (path.startswith("/") and path.endswith("/")) or len(segments) < 2 or any(
            s in ("", ANY) for s in segments) or category_of(path) is not Category.API:
        raise ValueError(f"a resource path such as '/api/name/' is needed, not {path!r}")
    return segments


@dataclass(frozen=True, slots=True)
class Call:
    """One routed request, as a handler sees it."""

    request: Request
    args: tuple[str, ...]
    body: Any
    query: dict[str, list[str]]
    now: float

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


Handler = Callable[[Call], Response]


@dataclass(frozen=True, slots=True)
class Route:
    segments: tuple[str, ...]
    """Path segments; ``"*"`` matches an id."""
    handlers: Mapping[str, Handler]
    paid: bool = False
    """Its POST spends credits (logged in the create log, refused by insufficient_credits)."""
    auth: bool = True
    text_errors: bool = False
    """The text generator's ``{"error": ...}`` error shape."""


class RouteTable:
    """Routes by number of segments, the ones with fewer ids first (so a literal segment
    wins over an id)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._table: dict[int, list[Route]] = {}
        for route in sorted(routes, key=lambda r: r.segments.count(ANY)):
            self._table.setdefault(len(route.segments), []).append(route)

    def operations(self) -> set[tuple[str, str]]:
        """(METHOD, path template with ``{id}``) of every route."""
        return {(method, "/" + "/".join("{id}" if p == ANY else p
                                        for p in route.segments) + "/")
                for routes in self._table.values() for route in routes
                for method in route.handlers}

    def resolve(self, request: Request) -> tuple[Route | None, tuple[str, ...], bool]:
        """(route, id arguments, method allowed); ``None`` when no route matches."""
        path = request.path
        if category_of(path) is Category.CONTROL and not path.endswith("/"):
            path += "/"  # the control endpoints are for people with curl: be lenient
        if not path.endswith("/") or not path.startswith("/"):
            return None, (), False
        segments = path.strip("/").split("/")
        for route in self._table.get(len(segments), ()):
            pairs = tuple(zip(route.segments, segments, strict=True))
            if all(p == s or (p == ANY and s != "") for p, s in pairs):
                args = tuple(s for p, s in pairs if p == ANY)
                method = "GET" if request.method == "HEAD" else request.method
                return route, args, method in route.handlers
        return None, (), False
