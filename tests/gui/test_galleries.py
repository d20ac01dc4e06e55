"""The avatar, voice and visual-style galleries in the real window, against the simulator over
loopback: filters reach Creatify's ``personas_v2`` as comma-separated parameters and the list
in hand at once, a chosen card becomes the form's value and the job sent through the confirm
path carries it, favourites survive a restart, a voice sample is played in place, pictures are
cached on disk.

Async tests run on a qasync loop (see conftest.py): no ``qtbot.wait*`` in here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import shiboken6
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListView, QPushButton

from app.api.client import CreatifyClient
from app.galleries import FAVOURITES_FILE, Favourites
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from tests.gui.conftest import idle, settle_then_close, until
from tests.gui.test_window import Studio, confirmation, connect_to, studio  # noqa: F401
from tests.samples import SCRIPT_31S
from ui.forms.pickers import AccentPicker, PersonaPicker
from ui.galleries._cards import CARD_ROLE, FAVOURITE_ROLE
from ui.galleries._chrome import favourites_for
from ui.galleries.avatars import AvatarGallery
from ui.galleries.styles import StyleGallery
from ui.galleries.voices import VoiceGallery
from ui.service import Mode, StudioService


def personas_v2_queries(simulator: Sandbox) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(path).query) for method, path in simulator.request_log
            if method == "GET" and urlsplit(path).path == "/api/personas_v2/"]


async def add_custom_avatar(simulator: Sandbox, name: str) -> str:
    """A custom avatar of the account (stays in review in the simulator)."""
    async with httpx.AsyncClient(base_url=simulator.base_url,
                                 headers={"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}) as web:
        answer = await web.post("/api/personas/", json={
            "gender": "f", "creator_name": name,
            "lipsync_input": f"{simulator.base_url}/media/samples/sample.mp4"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def click_in_card(view: QListView, row: int, rect_of: Any) -> None:
    """A real mouse click on the part of a card ``rect_of(card rect)`` gives."""
    index = view.model().index(row, 0)
    view.scrollTo(index)
    card: QRect = view.visualRect(index).adjusted(3, 3, -3, -3)
    target: QRect = rect_of(card)
    assert target.isValid()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, target.center())


def names(gallery: AvatarGallery | VoiceGallery) -> list[str]:
    return [getattr(c, "label", None) or c.name for c in gallery.model.cards]


async def test_pick_an_avatar_by_filter_and_send_it(studio: Studio,  # noqa: F811
                                                   simulator: Sandbox) -> None:
    window = studio.window
    inputs = await connect_to(studio, simulator)
    custom_id = await add_custom_avatar(simulator, "Zoe my own look")
    catalogue = await studio.service.read_catalogue("personas")
    tab = window.show_generator("avatar_v1")
    tab.form.set_values({"text": SCRIPT_31S, "accent": inputs.accent_id})
    picker = tab.form.editors["creator"]
    assert isinstance(picker, PersonaPicker)
    assert picker.combo.isVisible() and picker.browse_button.isVisible()

    picker.browse_button.click()
    gallery = picker.gallery
    assert isinstance(gallery, AvatarGallery) and gallery.isVisible()
    assert isinstance(gallery.view, QListView)
    assert gallery.view.viewMode() is QListView.ViewMode.IconMode
    await until(lambda: len(gallery.model.cards) == len(catalogue), timeout=10)
    # The creator's own avatar first, marked; not choosable while in review (the simulator
    # ends the review after 600 simulated seconds, under a second here).
    first = gallery.model.cards[0]
    assert first.id == custom_id and first.custom
    gallery.select(custom_id)
    assert gallery.use_button.isEnabled() is first.usable
    # Only painted cards ask for their pictures; they arrive (and are kept on disk).
    await until(lambda: gallery.images.from_network > 0 and gallery.images.loading == 0,
                timeout=10, message="no picture loaded")

    # Female presenters: at once on the list in hand, then Creatify is asked.
    asked_before = len(personas_v2_queries(simulator))
    gallery.facets["gender"].boxes["f"].click()
    gallery.facets["style"].boxes["presenter"].click()
    expected = sorted(str(p["creator_name"]) for p in catalogue
                      if p.get("gender") == "f" and p.get("style") == "presenter")
    assert expected and len(expected) < len(catalogue)
    assert sorted(names(gallery)) == expected
    await until(lambda: "filtered by Creatify" in gallery.count.text(), timeout=10,
                message=gallery.count.text())
    queries = personas_v2_queries(simulator)[asked_before:]
    assert queries[-1] == {"gender": ["f"], "style": ["presenter"]}
    assert sorted(names(gallery)) == expected
    # Two values of one facet are sent comma-separated.
    gallery.facets["gender"].boxes["m"].click()
    await until(lambda: personas_v2_queries(simulator)[-1].get("gender") == ["f,m"],
                timeout=10, message=str(personas_v2_queries(simulator)))
    await until(lambda: "filtered by Creatify" in gallery.count.text(), timeout=10)
    assert sorted(names(gallery)) == sorted(
        str(p["creator_name"]) for p in catalogue
        if p.get("gender") in ("f", "m") and p.get("style") == "presenter")
    gallery.facets["gender"].boxes["m"].click()
    await until(lambda: sorted(names(gallery)) == expected
                and "filtered by Creatify" in gallery.count.text(), timeout=10)
    # Clear filters: every avatar again (and no filter sent), then the two filters back.
    gallery.clear_filters.click()
    assert len(gallery.model.cards) == len(catalogue)
    assert gallery.server_query == {} or "filtered" not in gallery.count.text()
    gallery.facets["gender"].boxes["f"].click()
    gallery.facets["style"].boxes["presenter"].click()
    await until(lambda: sorted(names(gallery)) == expected
                and "filtered by Creatify" in gallery.count.text(), timeout=10)
    # Search by name on top.
    gallery.search.setText(expected[-1][:3].lower())
    assert names(gallery) == [expected[-1]]
    gallery.search.clear()

    # Pick the second one: the form's avatar is that one, the estimate follows.
    chosen = gallery.model.cards[1]
    gallery.select(chosen.id)
    assert gallery.detail.card == chosen and gallery.use_button.isEnabled()
    # Its preview video plays in place.
    assert chosen.video and gallery.detail.play_button.isEnabled()
    gallery.detail.play_button.click()
    assert gallery.detail.player is not None, gallery.detail.problem
    video_player = gallery.detail.player
    await until(lambda: video_player.source().toString() == chosen.video, timeout=5,
                message=f"video source {video_player.source().toString()!r}")
    assert gallery.detail.stage.currentWidget() is gallery.detail.video
    gallery.use_button.click()
    assert not gallery.isVisible()
    assert picker.value() == chosen.id
    assert picker.combo.currentText().startswith(chosen.name)
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"{tab.errors()} {tab.hint.text()}")

    # Sent through the confirmation: the job carries that avatar.
    creates_before = len(simulator.create_log)
    tab.submit_button.click()
    await until(lambda: confirmation(window) is not None)
    await asyncio.sleep(0.05)
    assert len(simulator.create_log) == creates_before  # nothing before Send
    box = confirmation(window)
    assert box is not None
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()
    await until(lambda: len(simulator.create_log) == creates_before + 1, timeout=10)
    create = simulator.create_log[-1]
    assert create.path.rstrip("/").endswith("/lipsyncs") and create.body["creator"] == chosen.id
    await until(lambda: tab.last_job is not None, timeout=10)


async def test_a_favourite_avatar_survives_a_restart(studio: Studio,  # noqa: F811
                                                     simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("avatar_v1")
    picker = tab.form.editors["creator"]
    assert isinstance(picker, PersonaPicker)
    picker.browse_button.click()
    gallery = picker.gallery
    assert isinstance(gallery, AvatarGallery)
    await until(lambda: len(gallery.model.cards) > 3, timeout=10)
    gallery.show()
    row = 2
    favourite = gallery.model.cards[row]
    # A click on the card's star.
    click_in_card(gallery.view, row, gallery.delegate.star_rect)
    assert gallery.model.data(gallery.model.index(row), FAVOURITE_ROLE) is True
    keeper = favourites_for(studio.service)
    await until(lambda: keeper.saved, timeout=5)
    assert Favourites(studio.data_dir / "data" / FAVOURITES_FILE).ids("personas") == {
        favourite.id}
    gallery.favourites_only.setChecked(True)
    assert [c.id for c in gallery.model.cards] == [favourite.id]
    await until(lambda: gallery.images.loading == 0 and gallery.images.from_network > 0,
                timeout=10, message="pictures not loaded")
    gallery.reject()

    # A new start: another service on the same data folder.
    again = StudioService(studio.data_dir / "output", auto_download=False)
    try:
        await again.session.use_client(
            CreatifyClient("sandbox", "sandbox", base_url=simulator.base_url),
            studio.data_dir / "again.sqlite3", PollPolicy().scaled(1000), Mode.SANDBOX)
        assert favourites_for(again) is not keeper
        later = AvatarGallery(again)
        later.show()
        await until(lambda: len(later.model.cards) > 3, timeout=10)
        later.favourites_only.setChecked(True)
        assert [c.id for c in later.model.cards] == [favourite.id]
        assert later.model.data(later.model.index(0), FAVOURITE_ROLE) is True
        # Its picture came from the disk cache the first start filled, not the network.
        assert favourite.image
        await until(lambda: favourite.image in later.images.source, timeout=10,
                    message="the favourite's picture did not arrive")
        assert later.images.source[favourite.image] == "disk"
        later.close()
        later.deleteLater()
    finally:
        await settle_then_close(again)


async def test_voice_gallery_plays_a_sample_in_place_and_picks_a_voice(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("avatar_v1")
    picker = tab.form.editors["accent"]
    assert isinstance(picker, AccentPicker)
    voices = await studio.service.read_catalogue("voices")
    picker.browse_button.click()
    gallery = picker.gallery
    assert isinstance(gallery, VoiceGallery) and gallery.isVisible()
    total = sum(len(v["accents"]) for v in voices)
    await until(lambda: len(gallery.model.cards) == total, timeout=10)

    # Female English voices, then a search.
    gallery.genders.boxes["female"].click()
    gallery.languages.boxes["English"].click()
    expected = sorted(f"{v['name']} — {a['accent_name']}" for v in voices
                      if v.get("gender") == "female" for a in v["accents"]
                      if a["accent_name"] in ("American", "British", "Australian"))
    assert sorted(names(gallery)) == expected and len(expected) < total
    gallery.search.setText("brit")
    [card] = gallery.model.cards
    assert card.accent == "British"

    # ▶ on the row: the player is asked to play that sample.
    click_in_card(gallery.view, 0, gallery.delegate.play_rect)
    assert gallery.player.asked == card.sample
    assert gallery.player.player is not None, gallery.player.problem
    player = gallery.player.player
    await until(lambda: player.source().toString() == card.sample, timeout=5,
                message=f"player source {player.source().toString()!r}")
    gallery.select(card.id)
    assert gallery.play_button.text() in ("■ Stop", "▶ Play sample")
    # Space on the list plays (or stops) the selected voice's sample too.
    was = gallery.player.playing
    QTest.keyClick(gallery.view, Qt.Key.Key_Space)
    assert gallery.player.playing == (None if was == card.id else card.id)

    # A favourite voice, then choose it: the form's voice is that accent.
    click_in_card(gallery.view, 0, gallery.delegate.star_rect)
    keeper = favourites_for(studio.service)
    await until(lambda: keeper.saved, timeout=5)
    assert card.id in Favourites(studio.data_dir / "data" / FAVOURITES_FILE).ids("voices")
    gallery.use_button.click()
    assert picker.value() == card.id
    # Closing stopped and unloaded the sample (then the dialog and its player went away).
    assert gallery.player.playing is None
    await until(lambda: not shiboken6.isValid(player) or player.source().isEmpty(), timeout=5,
                message="sample not unloaded")


async def test_style_gallery_sets_the_visual_style(studio: Studio,  # noqa: F811
                                                   simulator: Sandbox) -> None:
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("url_to_video")
    editor = tab.form.editors["visual_style"]
    button = tab.form.style_browse  # the Browse… the form puts beside the styles
    assert button is not None and button.isVisibleTo(tab)
    button.click()
    gallery = editor.gallery  # type: ignore[attr-defined]
    assert isinstance(gallery, StyleGallery)
    offered = [c.value for c in editor.field.choices]
    assert [c.id for c in gallery.model.cards] == offered
    current = gallery.current_card()
    assert current is not None and current.id == editor.value()
    await until(lambda: gallery.examples_read, timeout=10)
    # Creatify gives no example pictures: a style never made says so.
    card = gallery.model.cards[3]
    assert card.image is None and "no pictures" in card.example
    gallery.select(card.id)
    gallery.use_button.click()
    assert editor.value() == card.id
    assert gallery.model.data(gallery.model.index(0), CARD_ROLE) is not None
    await asyncio.sleep(0)


def test_no_gallery_module_is_too_long() -> None:
    for path in Path("ui/galleries").glob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path


async def test_closing_a_gallery_while_pictures_load_leaves_nothing_behind(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    await connect_to(studio, simulator)
    for _ in range(3):
        gallery = AvatarGallery(studio.service)
        gallery.show()
        await until(lambda g=gallery: len(g.model.cards) > 0, timeout=10)  # type: ignore[misc]
        asked = len(personas_v2_queries(simulator))
        gallery.facets["gender"].boxes["f"].click()  # a server read on its way, too
        await until(lambda n=asked: len(personas_v2_queries(simulator)) > n,  # type: ignore[misc]
                    timeout=5)
        gallery.close()
        gallery.deleteLater()
        await asyncio.sleep(0)
    await idle(timeout=10)
    assert shiboken6.isValid(studio.window)
