"""The generators grouped by what a creator makes: the window's sidebar and quick switcher
read this table (and anything else that lists generators may).

Every built-in spec sits in exactly one group (a test checks it); a generator added at run
time with :func:`app.generators.register` and not named here lands in :data:`MORE`, or in
the deprecated group when its spec says so. Each entry also carries a short line for the
sidebar (the spec's ``description`` is the full text) and the name of its icon, a word the
window draws (see ``ui/window/icons.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.generators.spec import GeneratorSpec


@dataclass(frozen=True)
class Entry:
    """One generator in a group: its key, a line short enough for the sidebar, its icon."""

    key: str
    blurb: str
    icon: str


@dataclass(frozen=True)
class Group:
    """A heading of the sidebar and the generators under it, in the order shown."""

    key: str
    title: str
    entries: tuple[Entry, ...]
    collapsed: bool = False
    """Folded when the window opens (the deprecated generators)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(entry.key for entry in self.entries)


GROUPS: tuple[Group, ...] = (
    Group("product_page", "Videos from a product page", (
        Entry("url_to_video", "A product page into a video ad", "play"),
        Entry("product_image", "Step 1: stage a product photo", "box"),
        Entry("product_video", "Step 2: animate that photo", "film"),
        Entry("ad_clone", "Remake a reference ad", "clone"),
        Entry("links", "A product page as a Link", "link"),
    )),
    Group("avatars", "Avatar videos", (
        Entry("avatar_v1", "An avatar speaks your script", "person"),
        Entry("avatar_v2", "Several scenes and avatars", "people"),
    )),
    Group("photo", "Photo to video", (
        Entry("aurora", "A photo speaks, studio quality", "photo"),
        Entry("aurora_fast", "Faster, at half the price", "bolt"),
    )),
    Group("templates", "Templates", (
        Entry("custom_template", "Fill in your own template", "template"),
        Entry("ai_ad_template", "A gallery ad with your product", "gallery"),
        Entry("image_ad", "Banner ads from one image", "layers"),
    )),
    Group("assets", "AI assets and audio", (
        Entry("asset_generator", "Images and clips: Veo, Kling…", "sparkle"),
        Entry("text_to_speech", "A voice reads your script", "wave"),
    )),
    Group("writing", "Writing", (
        Entry("ai_scripts", "Ad scripts from a page or idea", "script"),
        Entry("text_generator", "Ask a Gemini model anything", "chat"),
    )),
    Group("deprecated", "Deprecated", (
        Entry("ai_shorts", "A short from your script", "film"),
        Entry("ai_editing", "Creatify edits your footage", "scissors"),
    ), collapsed=True),
)
"""The sidebar's groups, top to bottom."""

MORE = Group("more", "More", ())
"""Where a registered generator that no group names is shown."""

_DEPRECATED = next(group for group in GROUPS if group.collapsed)
_BY_KEY = {entry.key: (group, entry) for group in GROUPS for entry in group.entries}


def group_of(spec: GeneratorSpec) -> Group:
    """The group ``spec`` is listed under."""
    if spec.key in _BY_KEY:
        return _BY_KEY[spec.key][0]
    return _DEPRECATED if spec.deprecated else MORE


def entry_of(spec: GeneratorSpec) -> Entry:
    """``spec``'s line in its group (a registered generator: its description, a plain icon)."""
    if spec.key in _BY_KEY:
        return _BY_KEY[spec.key][1]
    return Entry(spec.key, spec.description or spec.title, "sparkle")


def grouped(specs: Iterable[GeneratorSpec]) -> list[tuple[Group, list[GeneratorSpec]]]:
    """``specs`` under their groups, in the table's order (empty groups left out; a spec's
    place within its group is the table's, then the order given)."""
    given = list(specs)
    order = {key: index for index, key in enumerate(_BY_KEY)}
    result: list[tuple[Group, list[GeneratorSpec]]] = []
    shown = [*(g for g in GROUPS if not g.collapsed), MORE, *(g for g in GROUPS if g.collapsed)]
    for group in shown:
        members = [s for s in given if group_of(s) is group]
        members.sort(key=lambda s: order.get(s.key, len(order)))
        if members:
            result.append((group, members))
    return result
