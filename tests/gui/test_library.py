"""The library of results in the real window, against the simulator over loopback: jobs run
to done are in the grid with their posters (the thumbnail, else a frame of the saved file),
the creator's name and tags survive a new start, generator and words filter the grid, the
settings that made each are readable, and two style previews open side by side."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app.generators import BY_KEY, Flow
from app.jobs.ledger import JobState
from app.library import LibraryItem, LibraryStore, PosterCache, file_identity, url_identity
from app.sandbox import Sandbox
from tests.gui.conftest import idle, until
from tests.gui.test_queue import listed, run_jobs
from tests.gui.test_window import Studio, connect_to, studio, window_values  # noqa: F401
from ui.library import CompareDialog, LibraryWindow
from ui.library import window as library_window

STYLES = ["AvatarBubbleTemplate", "FullScreenTemplate"]


async def compare_styles_job(st: Studio, simulator: Sandbox) -> str:
    """A compare-styles job of URL to Video (two previews), run until its previews are
    ready; its key."""
    inputs = await connect_to(st, simulator)
    spec = BY_KEY["url_to_video"]
    values = {**spec.defaults(), **window_values("url_to_video", inputs),
              "visual_styles": STYLES}
    record = await st.service.submit(spec, values, flow=Flow.COMPARE_STYLES,
                                     estimate=Decimal(3))
    assert record is not None
    ledger = st.service.session.ledger
    assert ledger is not None
    await until(lambda: ledger.get(record.key).state is JobState.PREVIEW_READY, timeout=30)
    listed(st)
    return record.key


async def open_library(st: Studio) -> LibraryWindow:
    [action] = [a for a in st.window.findChildren(QAction) if a.objectName() == "action_library"]
    action.trigger()
    library = st.window.library
    assert isinstance(library, LibraryWindow) and library.isVisible()
    await until(lambda: not library.loading, timeout=10)
    return library


async def close_library(library: LibraryWindow) -> None:
    library.close()
    await idle(timeout=15)


def item_of(library: LibraryWindow, key: str) -> LibraryItem:
    row = library.model.row_of(key)
    assert row is not None, f"{key[:8]} is not in the grid"
    return library.model.item(row)


async def test_finished_jobs_with_posters_names_tags_filters_and_settings(
        studio: Studio, simulator: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    video, sound, image = await run_jobs(studio, simulator,
                                         ("url_to_video", "text_to_speech", "product_image"))
    assert video.download_path and Path(video.download_path).is_file() and video.thumbnails
    compared = await compare_styles_job(studio, simulator)
    # The newest two jobs at once, the rest of the history from the worker thread.
    monkeypatch.setattr(library_window, "FIRST_JOBS", 2)
    library = await open_library(studio)

    # Every finished result is a card, the style previews one each, newest first.
    keys = [item.key for item in library.model.items()]
    assert {video.key, sound.key, image.key} <= set(keys)
    styles = [key for key in keys if key.startswith(f"{compared}#")]
    assert len(styles) == 2
    dates = [item.created_at for item in library.model.items()]
    assert dates == sorted(dates, reverse=True)
    assert library.count.text() == f"{len(keys)} results"

    # Posters: the thumbnail (kept on disk), the image itself; a sound has none.
    loader = library.posters
    for key in (video.key, image.key):
        loader.poster(item_of(library, key))
    await until(lambda: all(loader.poster(item_of(library, key)) is not None
                            for key in (video.key, image.key)), timeout=20,
                message="posters not loaded")
    cache = PosterCache.in_cache(studio.service.data_dir / "cache")
    assert cache.read(url_identity(video.thumbnails[0])) is not None
    assert image.thumbnails and cache.read(url_identity(image.thumbnails[0])) is not None
    # A sound, and a style preview (a web page, with no thumbnail in the simulator) have none:
    # the card names their kind.
    for key in (sound.key, *styles):
        loader.poster(item_of(library, key))
    await until(lambda: all(loader.has_none(key) for key in (sound.key, *styles)), timeout=10)
    assert {item_of(library, key).kind for key in styles} == {"page"}

    # A video without a thumbnail: a frame taken from the saved file, kept on disk.
    bare = dataclasses.replace(item_of(library, video.key), key="no-thumbnail",
                               thumbnail_url=None)
    loader.poster(bare)
    await until(lambda: loader.poster(bare) is not None, timeout=20,
                message="no frame taken from the file")
    frame = loader.poster(bare)
    assert frame is not None and frame.width() > 0 and frame.height() > 0
    assert cache.read(file_identity(video.download_path) or "") is not None
    # An image without a thumbnail: the saved image itself.
    picture = dataclasses.replace(item_of(library, image.key), key="no-thumbnail-image",
                                  thumbnail_url=None)
    loader.poster(picture)
    await until(lambda: loader.poster(picture) is not None, timeout=10)
    assert image.download_path and cache.read(file_identity(image.download_path) or "")

    # The settings that made it, with the form's labels.
    library.select(video.key)
    details = library.details
    assert details.item is not None and details.item.key == video.key
    settings = details.settings.toPlainText()
    spec = BY_KEY["url_to_video"]
    assert spec.field("video_length").label in settings and "video_length" not in settings
    assert details.open_button.isEnabled() and details.reveal_button.isEnabled()

    # Rename and tag it, as a creator types.
    details.name_edit.setFocus()
    details.name_edit.selectAll()
    QTest.keyClicks(details.name_edit, "Hero shot")
    QTest.keyClick(details.name_edit, Qt.Key.Key_Return)
    QTest.keyClicks(details.tags_edit, "summer, mugs")
    QTest.keyClick(details.tags_edit, Qt.Key.Key_Return)
    index = library.model.index(library.model.row_of(video.key) or 0)
    assert index.data() == "Hero shot"
    library_file = studio.service.data_dir / "library.json"
    await until(lambda: library_file.exists() and not library.store.dirty, timeout=5)

    # Search and filter.
    library.search.setText("summer")
    assert [i.key for i in library.model.items()] == [video.key]
    assert library.count.text() == f"1 of {len(keys)}"
    library.search.setText("hero SHOT")
    assert [i.key for i in library.model.items()] == [video.key]
    library.search.clear()
    library.generator.setCurrentIndex(library.generator.findData("text_to_speech"))
    assert [i.key for i in library.model.items()] == [sound.key]
    library.generator.setCurrentIndex(0)
    library.order.setCurrentIndex(library.order.findData(False))
    assert [i.created_at for i in library.model.items()] == sorted(dates)
    await close_library(library)

    # A new start: the names and tags are read back from the data folder.
    again = LibraryWindow(studio.service, studio.window)
    again.show()
    try:
        await until(lambda: not again.loading, timeout=10)
        assert again.store is not library.store
        row = again.model.row_of(video.key)
        assert row is not None and again.model.index(row).data() == "Hero shot"
        assert LibraryStore.in_folder(studio.service.data_dir).tags(video.key) == (
            "summer", "mugs")
        again.search.setText("mugs")
        assert [i.key for i in again.model.items()] == [video.key]
    finally:
        await close_library(again)


async def test_compare_two_videos_and_two_styles_side_by_side(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    first, second = await run_jobs(studio, simulator, ("url_to_video", "aurora_fast"))
    compared = await compare_styles_job(studio, simulator)
    library = await open_library(studio)
    try:
        library.select(first.key)
        assert not library.details.compare_button.isEnabled()  # one is not two
        library.select(first.key, second.key)
        assert library.details.compare_button.isEnabled()
        library.details.compare_button.click()
        [dialog] = [d for d in library.dialogs if isinstance(d, CompareDialog)]
        assert dialog.isVisible()
        assert {dialog.left.item.key, dialog.right.item.key} == {first.key, second.key}
        assert all(pane.source is not None and pane.source.isLocalFile()
                   for pane in (dialog.left, dialog.right))
        # Each side says the settings that made it, with its own generator's labels.
        texts = {pane.item.generator: pane.settings.toPlainText()
                 for pane in (dialog.left, dialog.right)}
        assert BY_KEY["url_to_video"].field("video_length").label in texts["url_to_video"]
        assert BY_KEY["aurora_fast"].field("image").label in texts["aurora_fast"]
        # Both players open their video (each shows its first frame), then play together.
        await until(lambda: all(stage.first_frame is not None for stage in dialog.stages),
                    timeout=20, message="the two players did not both open their video")
        dialog.play_both.click()
        await until(lambda: all(stage.playing() for stage in dialog.stages), timeout=10)
        dialog.close()
        await until(lambda: not library.dialogs)

        # Two style previews of one compare-styles job: each a preview page, opened in the
        # browser from its side.
        styles = [i.key for i in library.model.items() if i.job_key == compared]
        library.select(*styles)
        library.details.compare_button.click()
        [dialog] = [d for d in library.dialogs if isinstance(d, CompareDialog)]
        panes = (dialog.left, dialog.right)
        assert {pane.item.style for pane in panes} == set(STYLES)
        assert all(pane.is_page and pane.open_button.isVisible() and not pane.stage.isVisible()
                   for pane in panes)
        opened: list[str] = []
        for pane in panes:
            pane.open_url = lambda url: opened.append(url.toString())
            pane.open_button.click()
        ledger = studio.service.session.ledger
        assert ledger is not None
        assert sorted(opened) == sorted(p.preview_url or "" for p in
                                        ledger.get(compared).previews)
        assert all("Visual style" in pane.settings.toPlainText() for pane in panes)
        dialog.close()
    finally:
        await close_library(library)


async def test_a_result_finished_meanwhile_and_a_file_moved_away(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    library = await open_library(studio)
    try:
        assert library.model.rowCount() == 0 and library.count.text() == "0 results"
        # A job finished while the library is open comes in with the service's batches.
        [video] = await run_jobs(studio, simulator, ("url_to_video",))
        assert video.download_path
        await until(lambda: library.model.row_of(video.key) is not None, timeout=5)
        assert library.count.text() == "1 result"
        library.select(video.key)
        details = library.details
        assert details.open_button.isEnabled() and details.reveal_button.isEnabled()
        moved = Path(video.download_path).with_suffix(".moved")
        Path(video.download_path).rename(moved)
        errors: list[str] = []
        studio.service.errorRaised.connect(errors.append)
        details.reveal_button.click()
        [box] = [b for b in library.findChildren(QMessageBox, "launch_problem")
                 if b.isVisible()]
        assert video.download_path in box.informativeText()
        assert errors and "not there any more" in errors[-1]
        box.close()
        # Selected again, the buttons say there is no file to open.
        library.select(video.key)
        assert not details.open_button.isEnabled() and not details.reveal_button.isEnabled()
    finally:
        await close_library(library)
