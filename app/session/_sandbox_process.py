"""The offline sandbox in a process of its own, so the simulator never competes with the
window for the interpreter.

:class:`SandboxProcess` starts ``python -m app.sandbox`` (in the frozen bundle: the same
executable with the hidden first argument ``--serve-sandbox``, see :func:`sandbox_command`)
on loopback, on a free port (the one it last served on when free), at the session's speed
over the session's state file. The child says where it listens in one JSON line
(``--ready-json``) and lives on its standard input (``--watch-stdin``): closing the pipe stops
it cleanly (its account saved), and so does the parent's death, whatever kills it — the OS
closes the pipe. A ``reset`` line forgets the account there. Every method blocks: call them
with ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from app.session._sandbox import SandboxElsewhere

__all__ = ["SERVE_SANDBOX", "SandboxProcess", "sandbox_command"]

SERVE_SANDBOX = "--serve-sandbox"
"""The bundle's hidden first argument: serve the sandbox (``packaging/launch.py``)."""
START_TIMEOUT = 60.0
"""Seconds the child may take to say where it listens (a cold frozen bundle unpacks first)."""
STOP_TIMEOUT = 5.0
"""Seconds the child may take to save its account and exit before it is terminated."""
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the ``app`` package


def sandbox_command(args: Sequence[str]) -> list[str]:
    """The command line that serves the sandbox with ``args`` (``app.sandbox``'s options)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, SERVE_SANDBOX, *args]
    return [sys.executable, "-m", "app.sandbox", *args]


def _child_env() -> dict[str, str]:
    """This environment, with ``app`` importable wherever the child starts."""
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


class SandboxProcess:
    """The simulator served by a child process; ``base_url`` and ``restored`` once started."""

    def __init__(self, *, speed: float, state_path: Path, balance: int | None = None,
                 seed: int | None = None, start_timeout: float = START_TIMEOUT) -> None:
        self.speed = speed
        self.state_path = state_path
        self.balance = balance
        self.seed = seed
        self.start_timeout = start_timeout
        self.base_url = ""
        self.restored = False
        """Whether the child read its account back from ``state_path`` (``False``: fresh)."""
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def arguments(self) -> list[str]:
        args = ["--port", "0", "--speed", repr(self.speed), "--state", str(self.state_path),
                "--ready-json", "--watch-stdin"]
        if self.balance is not None:
            args += ["--balance", str(self.balance)]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        return args

    def start(self) -> str:
        """Start the child and wait for its address (idempotent while it runs).
        :class:`SandboxElsewhere` when another process serves the state file,
        ``RuntimeError`` when the child cannot start."""
        with self._lock:
            if self.running:
                return self.base_url
            if self._process is not None:  # it ended on its own: let go of its pipes
                self._end(self._process)
                self._join_reader()
            self._lines = queue.Queue()
            flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flashes
            process = subprocess.Popen(
                sandbox_command(self.arguments()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, encoding="utf-8", env=_child_env(), creationflags=flags)
            self._process = process
            assert process.stdout is not None
            self._reader = threading.Thread(target=self._read, args=(process.stdout,),
                                            name="sandbox-child-reader", daemon=True)
            self._reader.start()
            try:
                said = self._next_line(self.start_timeout, "say where it listens")
            except BaseException:
                self._end(process)
                raise
            if "busy" in said:
                self._end(process)
                raise SandboxElsewhere(self.state_path, str(said["busy"] or ""))
            self.base_url = str(said["base_url"])
            self.restored = bool(said.get("restored"))
            return self.base_url

    def _read(self, stdout: IO[str]) -> None:
        """Hand each JSON line of the child's over, then ``None`` at its end."""
        try:
            for line in stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    self._lines.put(message)
        except (OSError, ValueError):
            pass
        finally:
            stdout.close()
            self._lines.put(None)

    def _next_line(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            message = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"The sandbox process did not {what} within {timeout:g} s."
                               ) from None
        if message is None:
            code = self._process.poll() if self._process is not None else None
            raise RuntimeError(f"The sandbox process ended (exit status {code}) before it "
                               f"could {what}.")
        return message

    def reset(self) -> None:
        """Forget the account (faults, quirks and speed stay), as ``Sandbox.reset``."""
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or process.poll() is not None:
                raise RuntimeError("The sandbox process is not running.")
            try:
                process.stdin.write("reset\n")
                process.stdin.flush()
            except OSError:
                raise RuntimeError("The sandbox process is not running.") from None
            self._next_line(STOP_TIMEOUT * 2, "reset its account")
            self.restored = False

    def stop(self) -> None:
        """Close the child's lifeline (it saves its account and exits); terminate it if it
        lingers, kill it if it still does. Idempotent."""
        with self._lock:
            process, self._process = self._process, None
            if process is not None:
                self._end(process)
            self._join_reader()

    def _join_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.join(timeout=STOP_TIMEOUT)

    @staticmethod
    def _end(process: subprocess.Popen[str]) -> None:
        try:
            if process.stdin is not None:
                process.stdin.close()
        except OSError:
            pass
        for ending in (None, process.terminate, process.kill):
            if ending is not None:
                ending()
            try:
                process.wait(timeout=STOP_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                continue
