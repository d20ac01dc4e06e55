"""The sandbox's front: :class:`Sandbox` starts a :class:`~app.sandbox.world.World` behind
the HTTP server (``httpd``) on loopback, in a background thread, and reads its state.

The HTTP layer moves bytes and applies the transport faults (``httpd``); every decision about
the API itself is the world's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from decimal import Decimal
from types import TracebackType
from typing import Any

from app.sandbox.httpd import SandboxHTTPServer, is_loopback
from app.sandbox.jobs import Behaviour
from app.sandbox.wire import CreateRecord, DocsQuirks, Faults
from app.sandbox.world import World

__all__ = ["Sandbox", "SandboxHTTPServer", "is_loopback"]


class Sandbox:
    """The Creatify simulator, serving real HTTP on loopback from a background thread.

    >>> with Sandbox(speed=1000) as sandbox:        # doctest: +SKIP
    ...     httpx.get(sandbox.base_url + "/api/remaining_credits/",
    ...               headers={"X-API-ID": "sandbox", "X-API-KEY": "sandbox"})

    ``behaviours`` adds resource families of the caller's: each a
    :class:`~app.sandbox.family.Behaviour` (its resource's path, accepted fields, price,
    billed length, run and result), served like the built-in job resources.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, api_id: str = "sandbox",
                 api_key: str = "sandbox", balance: Decimal | int = 500, speed: float = 1.0,
                 faults: Faults | None = None, quirks: DocsQuirks | None = None,
                 seed: int | None = None, behaviours: Iterable[Behaviour] = ()) -> None:
        if not is_loopback(host):
            raise ValueError(f"the sandbox listens on loopback only, not on {host!r}")
        self._host = host
        self._port = port
        self._world = World(api_id=api_id, api_key=api_key, balance=balance, speed=speed,
                            faults=faults, quirks=quirks, seed=seed, behaviours=behaviours)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self.base_url = ""

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Bind, start serving in a background thread, return the base URL."""
        with self._lifecycle:
            if self._server is not None:
                return self.base_url
            server = SandboxHTTPServer((self._host.strip("[]"), self._port), self._world)
            port = server.server_address[1]
            host = f"[{self._host.strip('[]')}]" if ":" in self._host else self._host
            self.base_url = f"http://{host}:{port}"
            with self._world.lock:
                self._world.base_url = self.base_url
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="creatify-sandbox", daemon=True)
            thread.start()
            self._server, self._thread = server, thread
            return self.base_url

    def stop(self) -> None:
        """Stop serving, close the socket and every connection, join the threads. Idempotent."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            if server is None:
                return
            server.shutdown()
            server.server_close()
            server.close_connections(timeout=5.0)
            if thread is not None:
                thread.join()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ---- state (all thread-safe) ------------------------------------------------------------

    @property
    def balance(self) -> Decimal:
        return self._world.balance

    @property
    def faults(self) -> Faults:
        """A copy of the current faults."""
        return self._world.faults

    def set_faults(self, **changes: Any) -> Faults:
        """Change some faults now; an unknown name raises ``TypeError``."""
        return self._world.set_faults(**changes)

    @property
    def quirks(self) -> DocsQuirks:
        """The docs quirks in force (all on unless turned off)."""
        return self._world.quirks

    def set_quirks(self, **changes: bool) -> DocsQuirks:
        """Turn docs quirks on or off now; an unknown name raises ``TypeError``."""
        return self._world.set_quirks(**changes)

    def served_operations(self) -> set[tuple[str, str]]:
        """(METHOD, path template) of every route the simulator answers."""
        return self._world.served_operations()

    @property
    def create_log(self) -> list[CreateRecord]:
        return self._world.create_log

    @property
    def request_log(self) -> list[tuple[str, str]]:
        return self._world.request_log

    def jobs(self, resource: str) -> list[dict[str, Any]]:
        """Copies of the current wire objects of ``resource`` (oldest first)."""
        return self._world.jobs(resource)
