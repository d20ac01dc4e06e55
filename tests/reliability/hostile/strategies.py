"""Hypothesis strategies for hostile input, and the examples budget.

``HOSTILE_EXAMPLES`` (environment) is the number of examples per property; the default keeps
the normal test run fast, ``run.py hostile --examples N`` raises it.
"""

from __future__ import annotations

import os
import string
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))

hostile = settings(max_examples=EXAMPLES, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.filter_too_much])
"""The settings every hostile property runs with."""

HUGE = 200_000

odd_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "\x00", "\u202e", "\ufeff", "null", "None", "NaN", "-1", "1e999",
                     "<script>alert(1)</script>", "'; DROP TABLE jobs; --", "%s%s%n",
                     "{title}", "{0}", "{", "}", "\r\n", "../../../../etc/passwd", "..\\..\\x",
                     "C:\\Windows\\System32", "/etc/passwd", "~/.ssh/id_rsa", "CON", "nul.mp4",
                     "🎬" * 40, "a" * 5000]),
    st.integers(1, 4).map(lambda n: "x" * (HUGE * n // 4)),
)
"""Text a user, a file or a server might send."""

odd_numbers = st.one_of(
    st.integers(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63), 10**18, 0.5, -0.0, 1e308, 5e-324]),
)

json_scalars = st.one_of(st.none(), st.booleans(), odd_numbers, odd_text)

json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(odd_text, inner, max_size=5)),
    max_leaves=20,
)
"""Anything a JSON document can hold (NaN and infinities too: Python's json reads them)."""

SCHEMES = ["file", "javascript", "data", "ftp", "gopher", "chrome", "about", "jar", "smb",
           "vbscript", "blob", "ws", "HTTP", "hTTps", "http", "https", ""]

hostile_urls = st.one_of(
    st.builds(lambda scheme, rest: f"{scheme}:{rest}", st.sampled_from(SCHEMES), odd_text),
    st.sampled_from([
        "file:///etc/passwd", "file://localhost/etc/shadow", "FILE:///c:/windows/win.ini",
        "javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "data:video/mp4;base64,AAAA",
        "http://", "https://", "http:///etc/passwd", "//evil.example/x.mp4", "/etc/passwd",
        "../../../etc/passwd", "http://[::1", "http://host:99999/x", "http://a b/c",
        "http://example.com/\x00.mp4", "http://example.com/../../../../etc/passwd.mp4",
        "https://example.com/%2e%2e/%2e%2e/x.mp4", "https://example.com/x.mp4?" + "a" * 3000,
        "ftp://example.com/x.mp4", "http://user:pass@example.com/x.mp4",
        "https://exa\u202emple.com/x.mp4", "http://127.0.0.1:1/x.mp4",
    ]),
    st.builds(lambda path: f"https://cdn.example.com/{path}",
              st.text(alphabet=string.printable, max_size=80)),
)
"""Result URLs and URL fields: odd schemes, no host, traversal, huge, control characters."""

hostile_names = st.one_of(
    odd_text,
    st.sampled_from(["..", ".", "../x", "../../x.mp4", "..\\..\\x.mp4", "/abs/x.mp4",
                     "x/../../y", "a/b", "\x00x", ".hidden", "...", " .. ", "..\u2215x",
                     "\u2025", "x" * 300, "COM1", "aux.mp4", "lpt9 .mp4", "~", "$HOME",
                     "%2e%2e%2fx", "\u0000", "con:", "x:y", "*?<>|\""]),
    st.lists(st.sampled_from(["..", "/", "\\", ".", "x", "\u2024", "\uff0e", " ", "\t"]),
             max_size=12).map("".join),
)
"""File names and name parts aimed at leaving the output folder."""

odd_statuses = st.one_of(
    st.sampled_from(["done", "DONE", " done ", "failed", "rejected", "running", "pending",
                     "in_queue", "image_generated", "video_generated", "processing_v2", "",
                     "null", "error", "cancelled", "done\x00", "dóne"]),
    json_values,
)


def any_of(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


__all__ = ["EXAMPLES", "HUGE", "SCHEMES", "any_of", "hostile", "hostile_names", "hostile_urls",
           "json_scalars", "json_values", "odd_numbers", "odd_statuses", "odd_text"]
