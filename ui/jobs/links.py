"""A video and the Link it was made from are one entry in the Jobs list.

A URL to Video (or Ad Clone) job sent with a product page first makes a Link: its own paid
job in the ledger (generator ``links``), recorded before the video. The video's request then
carries the new Link's id in its link field (``request["link"]``), so the two are related by
``video.request[link field] == link.server_id``. :class:`LinkFold` keeps the Links records
that a video in the list uses out of the table's rows and hands them to that video's row
(its tooltip and the detail line say how the Link went).

A Link nothing uses stays a row of its own: one made from the Links tab, one still being
made (its video is not recorded yet), and one that failed (its video was never sent) — so a
failed Link is always in sight, in red.
"""

from __future__ import annotations

from app.generators import BY_KEY, SPECS
from app.generators.quote import format_credits
from app.jobs.ledger import JobRecord
from ui.jobs.status import status_text

LINK_MAKERS = frozenset(s.link_maker.key for s in SPECS if s.link_maker is not None)
"""The generators that make the Link of a product page (``links``)."""


def is_link(record: JobRecord) -> bool:
    """A Links job (the Link of a product page)."""
    return record.generator in LINK_MAKERS


def link_used(record: JobRecord) -> str | None:
    """The id of the Link a video's request was sent with, or None."""
    spec = BY_KEY.get(record.generator)
    if spec is None or spec.link_field is None or is_link(record):
        return None
    field = next((f for f in spec.fields if f.name == spec.link_field), None)
    wire = field.wire_name if field is not None else spec.link_field
    value = record.request.get(wire, record.request.get(spec.link_field))
    return value if isinstance(value, str) and value else None


class LinkFold:
    """Which Links records are folded under a video of the list, and the Link of a video."""

    def __init__(self) -> None:
        self._links: dict[str, JobRecord] = {}  # Link id (server id) -> its Links record
        self._users: dict[str, str] = {}  # Link id -> the key of a video sent with it

    def clear(self) -> None:
        self._links.clear()
        self._users.clear()

    def rows(self, records: list[JobRecord]) -> list[JobRecord]:
        """``records`` without the Links records a video among them uses (those are kept
        here)."""
        self.clear()
        for record in records:
            used = link_used(record)
            if used is not None:
                self._users.setdefault(used, record.key)
        kept = []
        for record in records:
            if self.note_link(record):
                continue
            kept.append(record)
        return kept

    def note_link(self, record: JobRecord) -> bool:
        """Remember a Links record; True when a video uses it (it is folded, not a row)."""
        if not is_link(record) or not record.server_id:
            return False
        self._links[record.server_id] = record
        return record.server_id in self._users

    def note_user(self, record: JobRecord) -> JobRecord | None:
        """Remember that video ``record`` uses a Link; the Links record that now folds under
        it (to be taken out of the rows), if it was a row until now."""
        used = link_used(record)
        if used is None:
            return None
        first = used not in self._users
        self._users.setdefault(used, record.key)
        return self._links.get(used) if first else None

    def has(self, link: JobRecord) -> bool:
        """This Links job is remembered here already (folded, or waiting for its video)."""
        known = self._links.get(link.server_id or "") if is_link(link) else None
        return known is not None and known.key == link.key

    def user_of(self, link: JobRecord) -> str | None:
        """The key of the video the Links record folds under, or None (a row of its own)."""
        return self._users.get(link.server_id or "") if is_link(link) else None

    def user_of_key(self, key: str) -> str | None:
        """The key of the video the Links job ``key`` folds under, or None."""
        link = next((r for r in self._links.values() if r.key == key), None)
        return self.user_of(link) if link is not None else None

    def link_of(self, record: JobRecord) -> JobRecord | None:
        """The Links record a video was made from, when the ledger has it."""
        used = link_used(record)
        return self._links.get(used) if used is not None else None


def link_sentence(link: JobRecord) -> str:
    """How the video's Link went, in a sentence ("Made from the Link of its product page (job
    1a2b3c4d): Done, 1 credit.")."""
    cost = link.credits_used if link.credits_used is not None and link.state.is_terminal \
        else link.estimate
    paid = f", {format_credits(cost)}" if cost is not None else ""
    return (f"Made from the Link of its product page (job {link.short_key}): "
            f"{status_text(link)}{paid}.")


def link_cost(link: JobRecord, actual: bool) -> str:
    """What the video's Link cost on top of the video's own credits ("+ 1 credit for the
    Link of its product page"), estimated or charged; empty when not known."""
    cost = link.credits_used if actual else link.estimate
    if cost is None or (actual and not link.state.is_terminal):
        return ""
    return f"+ {format_credits(cost)} for the Link of its product page (job {link.short_key})"
