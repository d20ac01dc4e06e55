"""The one check of a web address the app sends to Creatify (form fields and batch rows).

Creatify reads every image, audio, video and product page itself, so an address must be an
http(s) URL it can fetch: no spaces or control characters, a host, at most 2,048 characters.
``public=True`` (product pages in a batch, anything the live API must reach) also refuses
hosts on this computer or a private network; a form field passes ``public=False`` because
the offline sandbox serves its own sample media on this machine.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,30}):")
_REASONS = {
    "file": "file: links point at a file on this computer; Creatify can only read public web "
            "pages (http or https).",
    "javascript": "javascript: links run a script; they are not web pages and are refused.",
    "data": "data: links carry their content inline; Creatify needs a public web page.",
    "vbscript": "vbscript: links run a script; they are not web pages and are refused.",
}
REFUSED_SCHEMES = frozenset(_REASONS)
"""Schemes that are never a web page (refused with their own reason)."""
LOCAL = "This page is on your own computer or network; Creatify cannot reach it."


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
"""Any Unicode space (``\\s`` is ``str.isspace``'s set) or ASCII control character: one C-level
search, not a Python test per character (a drop of 1,000 links checks them all at once)."""


def _text_problem(url: str) -> str | None:
    """Problems of the text itself: empty, too long, spaces or control characters."""
    if not url:
        return "Empty."
    if len(url) > MAX_URL_LENGTH:
        return f"Too long: {len(url):,} characters (at most {MAX_URL_LENGTH:,})."
    if _SPACE_OR_CONTROL.search(url):
        return "Contains spaces or control characters."
    return None


def _scheme_problem(url: str) -> str | None:
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in _REASONS:
        return _REASONS[scheme]
    if scheme not in ("http", "https"):
        return (f"Only http and https pages can be used (this is {scheme}:)." if scheme
                else "Not a web address (it should start with https://).")
    return None


def _public_host_problem(host: str) -> str | None:
    """A host Creatify cannot reach (this machine, a private network), or no site name."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        local = (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                 or ip.is_unspecified or ip.is_multicast)
        return LOCAL if local else None
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return LOCAL
    if "." not in host.strip("."):
        return "No site name in this address (like shop.example.com)."
    return None


def url_problem(url: str, *, public: bool = True) -> str | None:
    """Why ``url`` is not a web address Creatify can read (a sentence for the user), or
    ``None``. ``public=False`` accepts hosts on this computer or network."""
    problem = _text_problem(url) or _scheme_problem(url)
    if problem:
        return problem
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "Not a valid web address."
    if not host:
        return "No site name in this address."
    return _public_host_problem(host) if public else None


__all__ = ["LOCAL", "MAX_URL_LENGTH", "REFUSED_SCHEMES", "url_problem"]
