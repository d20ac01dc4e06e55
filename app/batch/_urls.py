"""URLs in a batch: which ones can be sent (and why not), which are the same page, and how
they are found in dropped or pasted text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.batch._rows import MAX_ROWS, BatchError, BatchRow, RowState
from app.urls import REFUSED_SCHEMES
from app.urls import url_problem as web_url_problem

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,30}):")
_CANDIDATE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]{0,30}:\S+|www\.\S+)")
_TRAILING = ".,;:!?)]}>\"'"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot go in a batch (a sentence for the user), or ``None``: the app's one
    web-address check, for a page Creatify must reach from the internet."""
    return web_url_problem(url, public=True)


def same_page_key(url: str) -> str:
    """What makes two URLs the same page for duplicate detection: scheme and host in lower
    case, no default port, no fragment, no trailing slash."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = host if port in (None, {"http": 80, "https": 443}.get(scheme)) else f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def tidy(token: str) -> str:
    """A URL-looking token tidied: angle brackets and trailing punctuation trimmed, ``www.``
    completed with ``https://``."""
    token = token.strip().strip("<>")
    while token and token[-1] in _TRAILING:
        # Keep a closing bracket that belongs to the URL ("…/Mug_(blue)").
        if token[-1] == ")" and token.count("(") >= token.count(")"):
            break
        token = token[:-1]
    if token.lower().startswith("www."):
        token = "https://" + token
    return token


def urls_in_text(text: str) -> list[tuple[str, str]]:
    """Every URL-looking token in free text, with its line: ``[(url, "line N"), …]``.
    Lines of a ``text/uri-list`` starting with ``#`` are comments."""
    found: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for token in _CANDIDATE.findall(stripped):
            url = tidy(token)
            if url and looks_like_url(url):
                found.append((url, f"line {number}"))
                if len(found) > MAX_ROWS:
                    raise BatchError(f"More than {MAX_ROWS:,} URLs: split the list into "
                                     f"smaller batches.")
    return found


def looks_like_url(token: str) -> bool:
    """Whether a token is a URL (``scheme://…`` or a scheme we know, refused ones too)."""
    match = _SCHEME.match(token)
    if not match:
        return False
    scheme = match.group(1).lower()
    rest = token[match.end():]
    # "Note:" or "12:30" in prose is not a URL; "javascript:alert(1)" is (and is refused).
    return bool(rest) and (rest.startswith("//") or scheme in REFUSED_SCHEMES or scheme in (
        "mailto", "ftp", "about", "chrome", "tel"))


def rows_from_urls(items: Iterable[tuple[str, str]],
                   overrides: Sequence[Mapping[str, Any]] | None = None) -> list[BatchRow]:
    """Check each URL and flag repeats of the same page (the first one is kept)."""
    rows: list[BatchRow] = []
    first_seen: dict[str, int] = {}
    for index, (url, where) in enumerate(items):
        row = BatchRow(url=url, where=where,
                       overrides=dict(overrides[index]) if overrides else {})
        row.problem = url_problem(url)
        if row.problem is None:
            key = same_page_key(url)
            if key in first_seen:
                row.duplicate_of = first_seen[key]
                row.state = RowState.DUPLICATE
            else:
                first_seen[key] = index
        else:
            row.state = RowState.REFUSED
        rows.append(row)
    return rows


def rows_from_text(text: str) -> list[BatchRow]:
    """Rows from dropped or pasted text (a ``text/uri-list`` or prose with URLs in it)."""
    return rows_from_urls(urls_in_text(text))
