"""Every user setting, declared once, and the JSON file that keeps them.

:class:`Settings` is the single declaration (the idea of Picard's ``options.py``): each field's
type and default live there, :func:`validate` says what is allowed, and :class:`SettingsStore`
reads and writes ``settings.json`` without ever losing what the user had:

* a missing file gives the defaults;
* a file that cannot be read or parsed, or fields of the wrong type or out of range, give the
  defaults *for the bad fields only*; the original file is copied aside to
  ``settings.json.bad-<timestamp>`` and :attr:`SettingsStore.problems` says so in words fit
  for the user;
* a save is atomic (a temporary file in the same directory, fsync, ``os.replace``).

Settings never hold a secret: :meth:`SettingsStore.save` refuses any value that contains a
secret registered with :mod:`app.logsafe` (the API key lives in the keyring only).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api._addresses import InsecureBaseURLError, validate_base_url
from app.atomic import write_text_atomically
from app.downloads import DEFAULT_TEMPLATE, DownloadError, current_template, render_name
from app.logsafe import redact
from app.paths import AppPaths

if TYPE_CHECKING:
    from app.jobs.budget import BudgetLimits
    from app.pricing.engine import Plan

log = logging.getLogger(__name__)

PLAN_KEYS: tuple[str, ...] = ("api_starter", "api_pro", "enterprise")
THEMES: tuple[str, ...] = ("system", "light", "dark")
MIN_WPM = 60
MAX_WPM = 300


@dataclass(frozen=True)
class Settings:
    """Every setting with its type and default. Frozen: change with ``dataclasses.replace``."""

    plan: str = "api_starter"  # one of PLAN_KEYS
    enterprise_rate: str = ""  # dollars per credit, as typed; used when plan == "enterprise"
    words_per_minute: int = 150  # MIN_WPM..MAX_WPM; script length → video length
    output_dir: str = ""  # empty: AppPaths.default_output_dir
    theme: str = "system"  # one of THEMES
    auto_download: bool = True
    window_geometry: str = ""  # base64 from QWidget.saveGeometry(); opaque here
    window_state: str = ""  # base64 from QMainWindow.saveState(); opaque here
    last_tab: str = ""  # a generator key; the UI falls back when it no longer exists
    notify_done: bool = True
    notify_failed: bool = True
    notify_drained: bool = False
    api_base_url: str = ""  # empty: Creatify's own API
    name_template: str = DEFAULT_TEMPLATE  # saved results' file names (app.downloads)
    # The budget guard, in credits as typed; empty = no limit.
    budget_per_job: str = ""
    budget_daily: str = ""
    budget_monthly: str = ""
    budget_low_balance: str = ""
    batch_concurrency: int = 3  # batch jobs running at once
    # Local files go to the creator's own S3-compatible bucket (app.uploads.StorageConfig;
    # the access keys live in the keyring only). No bucket: uploads are off.
    storage_bucket: str = ""
    storage_endpoint: str = ""  # empty: Amazon S3 itself
    storage_region: str = "us-east-1"
    storage_folder: str = "creatify-uploads"
    storage_links: str = "presigned"  # one of STORAGE_LINKS
    storage_public_url: str = ""  # with public links: where the bucket is readable
    storage_link_seconds: int = 7 * 24 * 3600  # presigned links' life (15 min .. 7 days)
    storage_path_style: bool = False


LABELS: dict[str, str] = {
    "plan": "Plan",
    "enterprise_rate": "Enterprise price per credit",
    "words_per_minute": "Speaking rate (words per minute)",
    "output_dir": "Output folder",
    "theme": "Theme",
    "auto_download": "Download finished videos automatically",
    "window_geometry": "Window position",
    "window_state": "Window layout",
    "last_tab": "Last open page",
    "notify_done": "Notify when a video is done",
    "notify_failed": "Notify when a job fails",
    "notify_drained": "Notify when the queue is empty",
    "api_base_url": "API address",
    "name_template": "File name template",
    "budget_per_job": "Per-job ceiling (credits)",
    "budget_daily": "Daily cap (credits)",
    "budget_monthly": "Monthly cap (credits)",
    "budget_low_balance": "Low-balance threshold (credits)",
    "batch_concurrency": "Batch jobs running at once",
    "storage_bucket": "Storage bucket",
    "storage_endpoint": "Storage endpoint",
    "storage_region": "Storage region",
    "storage_folder": "Folder in the bucket",
    "storage_links": "Storage link type",
    "storage_public_url": "Public address of the bucket",
    "storage_link_seconds": "Link lifetime",
    "storage_path_style": "Path-style addresses",
}

STORAGE_LINKS: tuple[str, ...] = ("presigned", "public")
MIN_LINK_SECONDS = 15 * 60
MAX_LINK_SECONDS = 7 * 24 * 3600

MAX_BATCH_CONCURRENCY = 20

_FIELDS: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(Settings)
_DEFAULTS = Settings()


class SettingsError(ValueError):
    """Settings that cannot be saved; the message is fit for the user."""


def _type_ok(value: object, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:  # bool is an int subclass; a JSON true is not a number of words
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _type_name(expected: type) -> str:
    return {bool: "true or false", int: "a whole number", str: "text"}.get(expected, "a value")


def _message_of(check: Callable[[], object], *errors: type[Exception]) -> str | None:
    """The message of the error ``check`` raises (one of ``errors``), or None."""
    try:
        check()
    except errors as exc:
        return str(exc)
    return None


def _plan_problem(s: Settings) -> str | None:
    if s.plan not in PLAN_KEYS:
        return f"Unknown plan {s.plan!r}; choose API Starter, API Pro or Enterprise."
    return None


def _rate_problem(s: Settings) -> str | None:
    if s.plan != "enterprise":
        return None
    from app.pricing.table import PricingError  # (the price table: on use)
    return _message_of(lambda: price_plan(s), PricingError)


def _wpm_problem(s: Settings) -> str | None:
    if MIN_WPM <= s.words_per_minute <= MAX_WPM:
        return None
    return f"The speaking rate must be between {MIN_WPM} and {MAX_WPM} words per minute."


def _output_problem(s: Settings) -> str | None:
    if s.output_dir and ("\x00" in s.output_dir or not Path(s.output_dir).is_absolute()):
        return "The output folder must be a full path, or left empty."
    return None


def _theme_problem(s: Settings) -> str | None:
    if s.theme not in THEMES:
        return f"Unknown theme {s.theme!r}; choose system, light or dark."
    return None


def _name_problem(s: Settings) -> str | None:
    return _message_of(lambda: render_name(
        s.name_template, generator="g", title="t", title_of_generator="G",
        created=datetime.datetime.now(datetime.UTC), job_id="0" * 8), DownloadError)


def _address_problem(s: Settings) -> str | None:
    if not s.api_base_url:
        return None
    return _message_of(lambda: validate_base_url(s.api_base_url), InsecureBaseURLError)


def _limit_problem(name: str) -> Callable[[Settings], str | None]:
    def check(s: Settings) -> str | None:
        if not str(getattr(s, name)).strip():
            return None  # no limit (the budget module loads only for a figure to read)
        from app.jobs.budget import parse_limit
        what = LABELS[name].split(" (")[0].lower()
        return _message_of(lambda: parse_limit(getattr(s, name), what), ValueError)
    return check


def _concurrency_problem(s: Settings) -> str | None:
    if 1 <= s.batch_concurrency <= MAX_BATCH_CONCURRENCY:
        return None
    return (f"Batch jobs running at once must be between 1 and {MAX_BATCH_CONCURRENCY}.")


def _storage_links_problem(s: Settings) -> str | None:
    if s.storage_links in STORAGE_LINKS:
        return None
    return f"Unknown link type {s.storage_links!r}; choose presigned or public links."


def _storage_life_problem(s: Settings) -> str | None:
    if MIN_LINK_SECONDS <= s.storage_link_seconds <= MAX_LINK_SECONDS:
        return None
    return "The link lifetime must be between 15 minutes and 7 days."


def _storage_address_problem(name: str) -> Callable[[Settings], str | None]:
    def check(s: Settings) -> str | None:
        value = getattr(s, name).strip()
        if not value or value.startswith(("https://", "http://")):
            return None
        return f"{LABELS[name]}: enter a web address (https://…), or leave it empty."
    return check


_CHECKS: tuple[tuple[str, Callable[[Settings], str | None], tuple[str, ...]], ...] = (
    ("plan", _plan_problem, ()),
    ("enterprise_rate", _rate_problem, ("plan",)),
    ("words_per_minute", _wpm_problem, ()),
    ("output_dir", _output_problem, ()),
    ("theme", _theme_problem, ()),
    ("name_template", _name_problem, ()),
    ("api_base_url", _address_problem, ()),
    *((name, _limit_problem(name), ()) for name in
      ("budget_per_job", "budget_daily", "budget_monthly", "budget_low_balance")),
    ("batch_concurrency", _concurrency_problem, ()),
    # The bucket's own rules (names, regions…) are app.uploads.StorageConfig's, applied by
    # the settings dialog before saving and when an upload starts.
    ("storage_links", _storage_links_problem, ()),
    ("storage_link_seconds", _storage_life_problem, ()),
    *((name, _storage_address_problem(name), ()) for name in
      ("storage_endpoint", "storage_public_url")),
)
"""Each setting's own check, run when its value (and each field named after it) has the
right type: (field, check, fields it also needs valid)."""


def validate(settings: Settings) -> dict[str, str]:
    """Field name → message for the user, for every field that is not acceptable."""
    errors: dict[str, str] = {}
    for f in _FIELDS:
        expected = type(getattr(_DEFAULTS, f.name))
        if not _type_ok(getattr(settings, f.name), expected):
            errors[f.name] = f"{LABELS[f.name]} must be {_type_name(expected)}."
    for name, check, needs in _CHECKS:
        if name in errors or any(n in errors for n in needs):
            continue
        problem = check(settings)
        if problem is not None:
            errors[name] = problem
    # Messages echo values; a pasted key must not travel on in one.
    return {name: redact(message) for name, message in errors.items()}


def price_plan(settings: Settings) -> Plan:
    """The plan whose dollar price per credit the estimator uses.

    Raises ``PricingError`` (a message fit for the user) for an unknown plan, or for an
    Enterprise plan whose price per credit is empty or not a sensible number.
    """
    from app.pricing.engine import enterprise_plan, plan_by_key  # (the estimator: on use)
    from app.pricing.table import PricingError

    if settings.plan == "enterprise":
        if not settings.enterprise_rate.strip():
            raise PricingError("Enter your Enterprise price per credit (in dollars, "
                               "e.g. 0.12) to see dollar estimates.")
        return enterprise_plan(settings.enterprise_rate)
    return plan_by_key(settings.plan)


def budget_limits(settings: Settings) -> BudgetLimits:
    """The budget guard's limits from the settings (a bad value reads as no limit: the
    settings dialog never saves one)."""
    from app.jobs.budget import BudgetLimits, parse_limit

    values = []
    for name in ("budget_per_job", "budget_daily", "budget_monthly", "budget_low_balance"):
        try:
            values.append(parse_limit(getattr(settings, name), name))
        except ValueError:
            values.append(None)
    return BudgetLimits(*values)


def resolve_output_dir(settings: Settings, paths: AppPaths) -> Path:
    """The folder finished videos are saved in: the chosen one, else the default."""
    return Path(settings.output_dir) if settings.output_dir else paths.default_output_dir


def _timestamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


class SettingsStore:
    """``settings.json``: load with repair, save atomically.

    After :meth:`load`, :attr:`problems` lists what was wrong with the file, in words for the
    user (empty when all was well).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problems: list[str] = []

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> Settings:
        """The saved settings; defaults for whatever is missing or bad. Never raises for a bad
        file: the bad file is copied aside and :attr:`problems` explains."""
        self.problems = []
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            log.warning("Cannot read the settings file %s: %s", self.path, exc)
            kept = self._move_aside()
            self.problems.append(f"Your settings file {self.path} could not be read "
                                 f"({exc.strerror or exc}); the default settings are used. "
                                 f"{kept}")
            return Settings()

        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            log.warning("The settings file %s is not valid JSON: %s", self.path, exc)
            kept = self._keep_bad_copy(raw)
            self.problems.append("Your settings file could not be understood, so the default "
                                 f"settings are used. {kept}")
            return Settings()
        if not isinstance(data, dict):
            log.warning("The settings file %s does not hold a JSON object", self.path)
            kept = self._keep_bad_copy(raw)
            self.problems.append("Your settings file could not be understood, so the default "
                                 f"settings are used. {kept}")
            return Settings()

        settings, bad = self._from_mapping(data)
        if bad:
            log.warning("Settings file %s: using defaults for %s", self.path, ", ".join(bad))
            kept = self._keep_bad_copy(raw)
            names = ", ".join(f"“{LABELS[name]}”" for name in bad)
            self.problems.append(f"Some saved settings were not valid and were reset to their "
                                 f"defaults: {names}. {kept}")
        return settings

    def _from_mapping(self, data: dict[str, Any]) -> tuple[Settings, list[str]]:
        """Settings from the file's object (unknown keys ignored) and the fields reset."""
        values: dict[str, Any] = {}
        bad: list[str] = []
        for f in _FIELDS:
            if f.name not in data:
                continue
            value = data[f.name]
            if _type_ok(value, type(getattr(_DEFAULTS, f.name))):
                values[f.name] = current_template(value) if f.name == "name_template" \
                    else value
            else:
                bad.append(f.name)
        settings = Settings(**values)
        errors = validate(settings)
        if "enterprise_rate" in errors:
            # Without a usable rate the Enterprise plan cannot price anything: fall back to
            # the default plan as well (the original file is kept aside).
            errors.setdefault("plan", errors["enterprise_rate"])
        if errors:
            settings = dataclasses.replace(
                settings, **{name: getattr(_DEFAULTS, name) for name in errors})
            bad.extend(name for name in errors if name not in bad)
        order = [f.name for f in _FIELDS]
        return settings, sorted(bad, key=order.index)

    def _bad_names(self) -> list[Path]:
        base = f"{self.path.name}.bad-{_timestamp()}"
        return [self.path.with_name(base if n == 0 else f"{base}-{n}") for n in range(100)]

    def _move_aside(self) -> str:
        """Rename a file we cannot read out of the way (renaming needs no read permission),
        so a later save does not overwrite it; a sentence saying where (or that not)."""
        for target in self._bad_names():
            if target.exists() or target.is_symlink():
                continue
            try:
                os.rename(self.path, target)
            except OSError as exc:
                log.warning("Cannot move the unreadable settings file aside: %s", exc)
                return "It could not be moved aside and will be replaced when settings are saved."
            log.warning("The unreadable settings file was moved to %s", target)
            return f"The old file was moved to {target}."
        return "It could not be moved aside and will be replaced when settings are saved."

    def _keep_bad_copy(self, raw: bytes) -> str:
        """Copy the original bytes next to the file; a sentence saying where (or that not)."""
        for target in self._bad_names():
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            except OSError as exc:
                log.warning("Cannot keep a copy of the bad settings file: %s", exc)
                return "A copy of the old file could not be kept."
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(raw)
            except OSError as exc:
                log.warning("Cannot keep a copy of the bad settings file: %s", exc)
                return "A copy of the old file could not be kept."
            log.warning("The bad settings file was copied to %s", target)
            return f"The old file was kept as {target}."
        return "A copy of the old file could not be kept."

    # -- saving -----------------------------------------------------------------------------

    def save(self, settings: Settings) -> None:
        """Write the settings atomically.

        Raises :class:`SettingsError` for invalid settings or a value holding a registered
        secret (nothing is written then), and ``OSError`` when the disk refuses; the previous
        file is intact in both cases.
        """
        for f in _FIELDS:  # first, so that no message below can echo a secret
            value = getattr(settings, f.name)
            if isinstance(value, str) and redact(value) != value:
                raise SettingsError(f"“{LABELS[f.name]}” contains your API key. Secrets are "
                                    "kept in the system keyring only, never in the settings.")
        errors = validate(settings)
        if errors:
            raise SettingsError("The settings cannot be saved: "
                                + " ".join(errors.values()))
        text = json.dumps(dataclasses.asdict(settings), indent=2, sort_keys=True,
                          ensure_ascii=False) + "\n"

        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_text_atomically(self.path, text)


__all__ = [
    "LABELS",
    "MAX_WPM",
    "MIN_WPM",
    "PLAN_KEYS",
    "STORAGE_LINKS",
    "THEMES",
    "Settings",
    "SettingsError",
    "SettingsStore",
    "budget_limits",
    "price_plan",
    "resolve_output_dir",
    "validate",
]
