"""Where the client may send its credentials, and ids made safe to put in a path."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, urlsplit

DEFAULT_BASE_URL = "https://api.creatify.ai"


class InsecureBaseURLError(ValueError):
    """The API base URL is not HTTPS and not on this machine."""


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """The base URL without a trailing slash; HTTPS required unless the host is loopback."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InsecureBaseURLError(f"Not a valid API address: {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureBaseURLError(f"Not a valid API address: {url!r}")
    if parts.scheme != "https" and not is_loopback_host(parts.hostname):
        raise InsecureBaseURLError(
            f"Refusing to send credentials over plain HTTP to {parts.hostname}: "
            "use https:// (plain http is allowed only for this machine, e.g. the sandbox).")
    if parts.query or parts.fragment:
        raise InsecureBaseURLError(f"The API address must not carry a query: {url!r}")
    return url.strip().rstrip("/")


def path_segment(value: str, what: str) -> str:
    """An id as one URL path segment: non-empty, without slashes, percent-encoded."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError(f"A {what} is needed (got {value!r}).")
    value = value.strip()
    if "/" in value or "\\" in value or value in (".", ".."):
        raise ValueError(f"Not a valid {what}: {value!r}.")
    return quote(value, safe="")


__all__ = ["DEFAULT_BASE_URL", "InsecureBaseURLError", "is_loopback_host", "path_segment",
           "validate_base_url"]
