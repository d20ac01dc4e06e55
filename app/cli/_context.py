"""What every command starts from: the data folder, the window's settings, the plan, and a
connection (the built-in simulator, or Creatify with the keyring's or the environment's key)
through the Qt-free :class:`app.session.Session` — the very object the window's service wraps.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.api.client import InsecureBaseURLError
from app.api.errors import CreatifyError
from app.cli._exit import CliError, Exit, code_for
from app.cli._output import Output
from app.credentials import (
    ENV_BASE_URL,
    CredentialStore,
    KeyringUnavailable,
    api_base_url,
    credentials_from_env,
)
from app.jobs.lease import COMMAND_LINE
from app.jobs.ledger import JobRecord
from app.logsafe import RedactingFilter
from app.paths import AppPaths, app_paths
from app.pricing import Plan, PricingError
from app.pricing.updates import activate_saved
from app.session import CACHED_KINDS, Mode, Session, SessionEvents
from app.settings import (
    Settings,
    SettingsStore,
    budget_limits,
    price_plan,
    resolve_output_dir,
)

log = logging.getLogger("app.cli")

CATALOGUE_WAIT = 20.0
"""Seconds a command waits for the catalogues refreshed on connect (asset models, AI Ad
Templates) before pricing with the copy in hand."""


def _setup_logging(paths: AppPaths) -> None:
    """The window's log file (secrets masked); the terminal only gets the command's output."""
    root = logging.getLogger()
    if any(getattr(h, "_creatify_cli", False) for h in root.handlers):
        return
    root.setLevel(logging.INFO)
    handler = logging.handlers.RotatingFileHandler(paths.log_file, maxBytes=2_000_000,
                                                   backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler._creatify_cli = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    logging.getLogger("httpx").setLevel(logging.WARNING)


class Context:
    """One command's paths, settings, output and (once :meth:`connect` ran) session."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = Output(bool(getattr(args, "json", False)))
        try:
            self.paths = app_paths(args.data_dir).ensure()
        except (ValueError, OSError) as exc:
            raise CliError(f"--data-dir: {exc}", Exit.USAGE) from None
        _setup_logging(self.paths)
        self.store = SettingsStore(self.paths.settings_file)
        self.settings: Settings = self.store.load()
        for info in activate_saved(self.paths.data_dir):  # imported price files, as the window
            log.info("imported price file in force: %s of %s", info.title, info.as_of)
        self.session: Session | None = None
        self.changes: list[Callable[[JobRecord], None]] = []
        self._loaded: dict[str, asyncio.Event] = {}
        self._watched = False  # another process followed the jobs at some point

    # ------------------------------------------------------------------ settings

    def plan(self) -> Plan | None:
        """``--plan`` or the settings' plan (``None`` when no dollar figure can be given)."""
        key = getattr(self.args, "plan", None)
        try:
            if key:
                from dataclasses import replace
                return price_plan(replace(self.settings, plan=key))
            return price_plan(self.settings)
        except PricingError as exc:
            if key:
                raise CliError(f"--plan: {exc}", Exit.USAGE) from None
            return None

    @property
    def wpm(self) -> int:
        return self.settings.words_per_minute

    @property
    def sandbox(self) -> bool:
        return self.session is not None and self.session.mode == Mode.SANDBOX

    def output_dir(self) -> Path:
        chosen = getattr(self.args, "download", None) or getattr(self.args, "dir", None)
        return Path(chosen).expanduser().resolve() if chosen \
            else resolve_output_dir(self.settings, self.paths)

    # ------------------------------------------------------------------ connection

    def _events(self) -> SessionEvents:
        def loaded(kind: str, *_rest: Any) -> None:
            self._loaded.setdefault(kind, asyncio.Event()).set()

        def changed(record: JobRecord) -> None:
            for callback in list(self.changes):
                callback(record)
        def role(follower: bool, other: str | None) -> None:
            if follower and not self._watched:  # following from the start: nothing to say
                return
            self._watched = True
            self.out.emit("follower", follower=follower, other=other)
            if not follower and not self.out.json:
                self.out.note(f"Jobs followed by another Creatify Studio ({other or 'window'}):"
                              " waiting on its changes to the ledger.")
        return SessionEvents(catalogue_loaded=loaded, catalogue_failed=loaded,
                             job_changed=changed, follower_changed=role,
                             error=lambda message: log.warning("%s", message))

    def can_connect(self) -> bool:
        """A connection is configured: ``--sandbox`` or a key in the environment (the
        keyring is only asked by :meth:`connect`)."""
        return bool(self.args.sandbox) or credentials_from_env(os.environ) is not None

    async def connect(self, *, catalogues: bool = False) -> Session:
        """The session over the simulator (``--sandbox``) or Creatify, its balance read (a
        free call that proves the connection); with ``catalogues`` the asset models and AI Ad
        Templates refreshed on connect are waited for (bounded), as the window shows them."""
        session = Session(self.output_dir(), data_dir=self.paths.data_dir,
                          cache_dir=self.paths.cache_dir, auto_download=False,
                          events=self._events(), role=COMMAND_LINE)
        session.budget = budget_limits(self.settings)
        session.name_template = self.settings.name_template
        self.session = session
        try:
            if self.args.sandbox:
                await session.use_sandbox()
            else:
                creds = self._credentials()
                await session.use_credentials(creds.api_id, creds.api_key, self._base_url())
            await session.fetch_credits()
        except CreatifyError as exc:
            raise CliError(f"Cannot connect: {exc.message}", code_for(exc)) from None
        if catalogues:
            await self.wait_catalogues()
        return session

    async def wait_catalogues(self) -> None:
        waits = [self._loaded.setdefault(kind, asyncio.Event()).wait() for kind in CACHED_KINDS]
        try:
            await asyncio.wait_for(asyncio.gather(*waits), CATALOGUE_WAIT)
        except TimeoutError:
            log.info("catalogues not refreshed in %s s: the copies in hand are used",
                     CATALOGUE_WAIT)

    def _credentials(self) -> Any:
        try:
            creds = credentials_from_env(os.environ)
        except ValueError as exc:
            raise CliError(f"CREATIFY_API_ID / CREATIFY_API_KEY: {exc}", Exit.USAGE) from None
        if creds is None:
            try:
                creds = CredentialStore().load()
            except KeyringUnavailable as exc:
                raise CliError(f"No API key: {exc}", Exit.USAGE) from None
        if creds is None:
            raise CliError("No API key: save one in the window (Credentials), set "
                           "CREATIFY_API_ID and CREATIFY_API_KEY, or use --sandbox.",
                           Exit.USAGE)
        return creds

    def _base_url(self) -> str:
        try:
            return api_base_url(self.settings.api_base_url or "", os.environ)
        except InsecureBaseURLError as exc:
            raise CliError(f"{ENV_BASE_URL}: {exc}", Exit.USAGE) from None

    def connected(self) -> Session:
        if self.session is None or not self.session.connected:
            raise CliError("Not connected.", Exit.CONNECTION)
        return self.session

    @property
    def balance(self) -> Decimal | None:
        return self.session.credits if self.session is not None else None

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.aclose()
            self.session = None


__all__ = ["CATALOGUE_WAIT", "Context"]
