"""The one read the galleries need beyond the service's cached catalogues: avatars filtered
by Creatify (``GET /api/personas_v2/?gender=f,m&style=selfie``).

A free read through the service's connected client, on the service's task group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ui.service import StudioService

log = logging.getLogger(__name__)

Done = Callable[[list[dict[str, Any]] | None, str | None], None]


def read_filtered_avatars(service: StudioService, filters: Mapping[str, Sequence[str]],
                          done: Done) -> bool:
    """Ask Creatify for the avatars matching ``filters``; ``done(items, None)`` or
    ``done(None, reason)`` follows on the event loop. ``False`` (nothing asked) when not
    connected."""
    client = service.client
    if client is None or not service.connected:
        return False

    async def run() -> None:
        try:
            items = await client.personas_v2(**{k: list(v) for k, v in filters.items()})
        except Exception as exc:  # a failed free read: the local filter stays in use
            log.info("filtered avatars not read: %s", exc)
            done(None, str(exc) or type(exc).__name__)
            return
        done(items, None)
    service.tasks.spawn(run(), "read filtered avatars")
    return True


__all__ = ["read_filtered_avatars"]
