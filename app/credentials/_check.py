"""Where the key is sent and whether Creatify takes it — one answer for the window and the CLI.

:func:`api_base_url` is the one rule for the API address (``CREATIFY_API_BASE_URL``, then the
API address setting, then Creatify's own). :func:`check_credentials` asks that address for the
free remaining-credits balance with a key pair and sorts the outcome into three plain answers:
accepted, refused (the key pair is wrong: saving it would only lead to errors) and not checked
(Creatify could not be reached or had trouble: the key may be fine).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from app.api._addresses import DEFAULT_BASE_URL, validate_base_url
from app.credentials._store import Credentials

ENV_BASE_URL = "CREATIFY_API_BASE_URL"
DASHBOARD_API_URL = "https://app.creatify.ai/settings/organization/api"
"""Creatify's API page, where a workspace's API ID and key are shown."""

CHECK_TIMEOUT = 15.0
"""Seconds one check waits for Creatify before calling it unreachable."""


def api_base_url(setting: str, environ: Mapping[str, str]) -> str:
    """The API address the app talks to: ``CREATIFY_API_BASE_URL``, else the API address
    setting, else Creatify's own — validated (raises ``InsecureBaseURLError``)."""
    return validate_base_url(environ.get(ENV_BASE_URL, "").strip() or setting.strip()
                             or DEFAULT_BASE_URL)


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"          # Creatify said no to this ID and key
    UNCHECKED = "unchecked"      # offline, unreachable or Creatify in trouble: may be fine


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of :func:`check_credentials`: its verdict, one sentence for the creator and,
    when accepted, the balance."""

    verdict: Verdict
    message: str
    credits: Decimal | None = None

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


def _host(base_url: str) -> str:
    parts = urlsplit(base_url)
    return parts.netloc or base_url


async def check_credentials(creds: Credentials, base_url: str, *,
                            wait: float = CHECK_TIMEOUT) -> KeyCheck:
    """Ask ``base_url`` for the (free) credit balance with ``creds``; never raises for a
    network or API failure. One try, no retries: the creator is waiting."""
    from app.api.client import CreatifyClient, RetryPolicy  # httpx: loaded on first use
    from app.api.errors import (
        AuthenticationError,
        ConnectionFailedError,
        CreatifyError,
        TimeoutFailedError,
    )

    try:
        async with CreatifyClient(creds.api_id, creds.api_key, base_url=base_url,
                                  timeout=wait, retry=RetryPolicy(attempts=1)) as probe:
            credits = await probe.remaining_credits()
    except AuthenticationError as exc:
        said = exc.message.strip().rstrip(".")
        why = ": ".join(str(part) for part in (exc.status_code, said) if part)
        return KeyCheck(Verdict.REFUSED, "Creatify refused this API ID and key"
                        + (f" ({why})" if why else "") + ". Check them on your API dashboard.")
    except (ConnectionFailedError, TimeoutFailedError):
        return KeyCheck(Verdict.UNCHECKED, f"Creatify could not be reached at "
                        f"{_host(base_url)}, so the key was not checked. Check your internet "
                        "connection and try again.")
    except CreatifyError as exc:
        return KeyCheck(Verdict.UNCHECKED, f"The key could not be checked: {exc.message}")
    except ValueError as exc:  # an address the client refuses
        return KeyCheck(Verdict.UNCHECKED, f"The key could not be checked: {exc}")
    return KeyCheck(Verdict.ACCEPTED, f"Connected. {credits:,} credits remaining.", credits)
