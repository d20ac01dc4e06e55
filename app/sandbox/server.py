"""The sandbox's front: :class:`Sandbox` starts a :class:`~app.sandbox.world.World` behind
the HTTP server (``httpd``) on loopback, in a background thread, and reads its state.

The HTTP layer moves bytes and applies the transport faults (``httpd``); every decision about
the API itself is the world's. With a ``state_path`` the account outlives the process
(``state`` says what is kept, ``persist`` when it is written): restored when the sandbox is
made, written after changes and at stop, served again preferably on the port it had. One
process at a time serves a state file (an OS lock by the maintained ``filelock`` package,
dropped when that process exits or dies); another one is told where it is served
(:class:`SandboxBusy`) and can talk to that simulator instead of starting a rival one.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from filelock import FileLock, Timeout

from app.sandbox.httpd import SandboxHTTPServer, is_loopback
from app.sandbox.jobs import Behaviour
from app.sandbox.persist import StateFile, StateSaver
from app.sandbox.state import StateError
from app.sandbox.wire import CreateRecord, DocsQuirks, Faults
from app.sandbox.world import World

__all__ = ["Sandbox", "SandboxBusy", "SandboxHTTPServer", "is_loopback"]

log = logging.getLogger("app.sandbox")


class SandboxBusy(RuntimeError):
    """Another process serves this state file; ``base_url`` is where ("" when it has not
    said yet)."""

    def __init__(self, state_path: Path, base_url: str) -> None:
        where = f" at {base_url}" if base_url else ""
        super().__init__(f"another process serves the sandbox state {state_path}{where}")
        self.state_path = state_path
        self.base_url = base_url


class Sandbox:
    """The Creatify simulator, serving real HTTP on loopback from a background thread.

    >>> with Sandbox(speed=1000) as sandbox:        # doctest: +SKIP
    ...     httpx.get(sandbox.base_url + "/api/remaining_credits/",
    ...               headers={"X-API-ID": "sandbox", "X-API-KEY": "sandbox"})

    ``behaviours`` adds resource families of the caller's: each a
    :class:`~app.sandbox.family.Behaviour` (its resource's path, accepted fields, price,
    billed length, run and result), served like the built-in job resources.

    ``state_path``: a persistent sandbox. The account (balance, jobs on their clocks, links,
    custom avatars and voices, the create log) is read from that JSON file now — ``balance``
    and ``seed`` only shape a fresh one — and written there after every change and at
    :meth:`stop`; jobs in flight go on, on the wall clock, when it starts again. A damaged
    file is set aside (``<name>.bad-<time>``, with a log line) and a fresh account starts.
    With ``port=0`` it first tries the port it last served on, so URLs handed out before
    stay valid; on another port the URLs it holds are rewritten to the new address.
    :meth:`start` raises :class:`SandboxBusy` while another process serves the same file.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, api_id: str = "sandbox",
                 api_key: str = "sandbox", balance: Decimal | int = 500, speed: float = 1.0,
                 faults: Faults | None = None, quirks: DocsQuirks | None = None,
                 seed: int | None = None, behaviours: Iterable[Behaviour] = (),
                 state_path: Path | str | None = None) -> None:
        if not is_loopback(host):
            raise ValueError(f"the sandbox listens on loopback only, not on {host!r}")
        self._host = host
        self._port = port
        self._world = World(api_id=api_id, api_key=api_key, balance=balance, speed=speed,
                            faults=faults, quirks=quirks, seed=seed, behaviours=behaviours)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self._saver: StateSaver | None = None
        self.state_path = None if state_path is None else Path(state_path)
        self._state = None if self.state_path is None else StateFile(self.state_path)
        self._last_port: int | None = None
        self._lock: FileLock | None = None
        self._read_stamp: tuple[int, int] | None = None
        self.restored = False
        """Whether the account was read back from ``state_path`` (``False``: a fresh one)."""
        if self._state is not None:
            self._restore(self._state)
        self.base_url = ""

    def _restore(self, state_file: StateFile) -> None:
        self._read_stamp = _stamp(state_file.path)
        data = state_file.read()
        if data is None:
            return
        try:
            self._world.restore(data)
        except StateError as exc:
            state_file.set_aside(str(exc))
            return
        self.restored = True
        self._last_port = _port_of(self._world.base_url)

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Bind, start serving in a background thread, return the base URL."""
        with self._lifecycle:
            if self._server is not None:
                return self.base_url
            self._own_state()
            try:
                server = self._bind()
            except BaseException:
                self._disown_state()
                raise
            port = server.server_address[1]
            host = f"[{self._host.strip('[]')}]" if ":" in self._host else self._host
            self.base_url = f"http://{host}:{port}"
            with self._world.lock:
                self._world.base_url = self.base_url
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="creatify-sandbox", daemon=True)
            if self._state is not None and self._saver is None:
                saver = StateSaver(self._state, self._world.snapshot)
                self._world.on_change = lambda changed: (saver.save_now() if changed
                                                         else saver.soon())
                self._saver = saver
                saver.save_now()  # the new address (and a fresh account) on disk at once
            thread.start()
            self._server, self._thread = server, thread
            return self.base_url

    def _own_state(self) -> None:
        """Take the state file's lock (:class:`SandboxBusy` when another process has it);
        read the file again if it changed since this sandbox was made."""
        if self._state is None or self._lock is not None:
            return
        lock = FileLock(f"{self._state.path}.lock", timeout=0, thread_local=False)
        self._state.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire()
        except Timeout:
            raise SandboxBusy(self._state.path, _served_at(self._state.path)) from None
        self._lock = lock
        if _stamp(self._state.path) != self._read_stamp:
            self._restore(self._state)

    def _disown_state(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def _bind(self) -> SandboxHTTPServer:
        """The server on the asked port; with port 0 and a restored state, the port it last
        served on when that one is free."""
        host = self._host.strip("[]")
        if self._port == 0 and self._last_port is not None:
            try:
                return SandboxHTTPServer((host, self._last_port), self._world)
            except OSError:
                log.info("The sandbox's last port %s is taken; serving on another one (its "
                         "URLs are rewritten).", self._last_port)
        return SandboxHTTPServer((host, self._port), self._world)

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
            saver, self._saver = self._saver, None
            if saver is not None:
                self._world.on_change = None
                saver.close()
            self._disown_state()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ---- state (all thread-safe) ------------------------------------------------------------

    def reset(self) -> None:
        """Forget the account: the starting balance, no jobs, links, custom avatars, voices
        or create log (saved at once when persistent). Faults, quirks and speed stay."""
        self._world.reset()
        self.restored = False

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


def _port_of(base_url: str) -> int | None:
    """The port of ``http://host:port`` (``None`` when there is none)."""
    head, _, port = base_url.rpartition(":")
    return int(port) if head and port.isdigit() else None


def _stamp(path: Path) -> tuple[int, int] | None:
    """(modification time, size) of ``path``; ``None`` when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _served_at(path: Path) -> str:
    """The address another process serves the state at (it writes it when it starts)."""
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("base_url", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return url if isinstance(url, str) else ""
