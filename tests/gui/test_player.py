"""The player of a finished job, driven as a creator would: real sandbox jobs and their real
media files (the simulator's test-pattern MP4 and tone), the real window, mouse and keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QLineEdit, QPushButton, QSlider, QWidget

from app.jobs.ledger import JobRecord
from app.sandbox import Sandbox
from app.sandbox.media import VIDEO
from tests.gui.conftest import idle, until
from tests.gui.test_queue import run_jobs
from tests.gui.test_window import Studio, studio  # noqa: F401
from ui.jobs.preview import PreviewDialog, finished_jobs

LOAD = 15.0
"""Seconds a player may take to open a file (the suite shares two cores)."""


def picture(dialog: PreviewDialog) -> QImage:
    """What the creator sees where the video goes, as pixels."""
    area = dialog.findChild(QWidget, "preview_picture") or \
        dialog.findChild(QWidget, "preview_video")
    assert area is not None and area.isVisible(), "no picture area"
    return area.grab().toImage()


def lit_share(image: QImage) -> float:
    """The share of sampled pixels that are not (near) black."""
    lit = total = 0
    for y in range(0, image.height(), 6):
        for x in range(0, image.width(), 6):
            total += 1
            lit += QColor(image.pixel(x, y)).value() > 40
    return lit / max(total, 1)


def colours(image: QImage) -> int:
    """How many different colours the sampled pixels have (a blank box has one or two)."""
    return len({image.pixel(x, y) for y in range(0, image.height(), 6)
                for x in range(0, image.width(), 6)})


def a_picture(dialog: PreviewDialog) -> bool:
    """A real picture is shown: mostly lit, many colours (not a black or blank box)."""
    image = picture(dialog)
    return lit_share(image) > 0.5 and colours(image) > 20


def button(dialog: PreviewDialog, name: str) -> QPushButton:
    found = dialog.findChild(QPushButton, name)
    assert found is not None, name
    return found


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(widget.width() // 2, widget.height() // 2))


async def shown(dialog: PreviewDialog) -> None:
    dialog.activateWindow()
    await until(dialog.isActiveWindow, timeout=5, message="the player never became active")


async def finished(studio: Studio, simulator: Sandbox,  # noqa: F811
                   keys: tuple[str, ...]) -> list[JobRecord]:
    simulator.set_faults(fail_rate=0.0)
    records = await run_jobs(studio, simulator, keys)
    for record in records:
        assert record.download_path and Path(record.download_path).is_file(), record
    return records


# Window problem 11:
async def test_a_video_shows_a_poster_before_play_and_its_last_frame_with_replay_at_the_end(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    [video] = await finished(studio, simulator, ("url_to_video",))
    assert video.thumbnails
    dialog = studio.window.preview(video)  # as a double-click in the Jobs panel opens it
    await shown(dialog)
    play = button(dialog, "preview_play")
    # Before Play: the job's thumbnail (fetched like the Jobs list's), never a black box.
    await until(lambda: a_picture(dialog), timeout=LOAD,
                message="no picture before Play")
    assert play.text() == "Play"
    await until(lambda: dialog.duration_ms == 3000, timeout=LOAD, message=dialog.problem)

    click(play)
    await until(lambda: play.text() == "Pause", timeout=LOAD, message=play.text())
    # The end: the button offers Replay and the last frame stays instead of black.
    await until(lambda: play.text() == "Replay", timeout=LOAD,
                message=f"the button says {play.text()!r} at the end")
    assert a_picture(dialog), "no picture at the end"
    time = dialog.findChild(QWidget, "preview_time")
    assert time is not None and time.property("text") == "0:03 / 0:03"

    # Space plays again from the start; Space again pauses: the words follow the player.
    # (Space works wherever the focus is, the position slider here.)
    slider = dialog.findChild(QSlider, "preview_position")
    assert slider is not None
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Space)
    await until(lambda: play.text() == "Pause", timeout=LOAD, message=play.text())
    QTest.keyClick(slider, Qt.Key.Key_Space)
    await until(lambda: play.text() == "Play", timeout=LOAD, message=play.text())
    dialog.close()
    await idle()


# Window problem 11:
async def test_a_video_without_a_thumbnail_shows_its_first_frame(qtbot: object) -> None:
    dialog = PreviewDialog(None, title="A template's preview",
                           sources=[QUrl.fromLocalFile(str(VIDEO.path))])
    dialog.show()
    await until(lambda: a_picture(dialog), timeout=LOAD, message="no picture before Play")
    image = picture(dialog)
    # The test pattern's first frame: red bars at the left, blue in the middle.
    left = QColor(image.pixel(image.width() // 20, image.height() * 3 // 4))
    assert left.red() > 150 and left.green() < 100 and left.blue() < 100, left.name()
    assert button(dialog, "preview_play").text() == "Play"
    dialog.close()
    await idle()


# Window problem 11:
async def test_a_sound_opens_a_compact_player(studio: Studio,  # noqa: F811
                                              simulator: Sandbox) -> None:
    [sound] = await finished(studio, simulator, ("text_to_speech",))
    dialog = studio.window.preview(sound)
    await shown(dialog)
    assert dialog.height() < 200, f"{dialog.width()}×{dialog.height()} for a sound"
    area = dialog.findChild(QWidget, "preview_picture")
    assert area is None or not area.isVisible()
    play = button(dialog, "preview_play")
    position = dialog.findChild(QSlider, "preview_position")
    assert play.isVisible() and position is not None and position.isVisible()
    await until(lambda: dialog.duration_ms == 3000, timeout=LOAD, message=dialog.problem)
    click(play)
    await until(lambda: play.text() == "Pause", timeout=LOAD, message=play.text())
    await until(lambda: position.value() > 0, timeout=LOAD, message="the slider never moves")
    click(play)
    await until(lambda: play.text() == "Play", timeout=LOAD, message=play.text())
    dialog.close()
    await idle()


# Window problem 11:
async def test_save_as_copies_the_file_and_the_link_is_at_hand(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    [video] = await finished(studio, simulator, ("url_to_video",))
    dialog = studio.window.preview(video)
    await shown(dialog)
    assert video.download_path is not None
    assert button(dialog, "preview_external").isEnabled()

    click(button(dialog, "preview_copy_link"))
    assert QGuiApplication.clipboard().text() == video.result_urls[0]
    assert button(dialog, "preview_open_link").isEnabled()

    async def save_to(target: Path) -> None:
        click(button(dialog, "preview_save"))
        chooser = dialog.findChild(QFileDialog, "preview_save_dialog")
        await until(lambda: chooser is not None and chooser.isVisible())
        assert chooser is not None
        name = chooser.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        name.setText(str(target))
        chooser.accept()
        chooser.setObjectName("used")
        await until(lambda: dialog.saving is not None and dialog.saving.done())

    target = tmp_path / "my video.mp4"
    await save_to(target)
    assert target.read_bytes() == Path(video.download_path).read_bytes()
    assert f"saved as {target}" in dialog.caption.text()

    nowhere = tmp_path / "no such folder" / "copy.mp4"
    await save_to(nowhere)
    assert not nowhere.exists()
    words = dialog.caption.text()
    assert "not saved" in words and "No such file or directory" in words, words
    assert "Errno" not in words, words
    dialog.close()
    await idle()


# Window problem 11:
async def test_previous_and_next_step_through_the_finished_jobs(
        studio: Studio, simulator: Sandbox) -> None:  # noqa: F811
    records = await finished(studio, simulator,
                             ("url_to_video", "text_to_speech", "product_image"))
    wanted = {r.key for r in records}
    # The Jobs list hears of each job's end a moment after the ledger.
    await until(lambda: {r.key for r in finished_jobs(studio.window.queue)} >= wanted,
                timeout=LOAD, message="the Jobs list does not show the finished jobs")
    listed = finished_jobs(studio.window.queue)
    keys = [r.key for r in listed]
    dialog = PreviewDialog(listed[0], studio.window, service=studio.service, records=listed)
    dialog.show()
    await shown(dialog)
    assert dialog.record is not None and dialog.record.key == keys[0]
    previous, after = button(dialog, "preview_previous"), button(dialog, "preview_next")
    assert not previous.isEnabled() and after.isEnabled()

    click(after)
    assert dialog.record is not None and dialog.record.key == keys[1]
    QTest.keyClick(dialog, Qt.Key.Key_PageDown)
    assert dialog.record is not None and dialog.record.key == keys[2]
    assert not after.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert dialog.record is not None and dialog.record.key == keys[1]
    QTest.keyClick(dialog, Qt.Key.Key_PageUp)
    assert dialog.record is not None and dialog.record.key == keys[0]
    assert dialog.windowTitle() == f"Preview — {listed[0].title}"
    by_key = {r.key: r for r in records}
    for _ in keys[1:]:
        QTest.keyClick(dialog, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        shown_record = dialog.record
        assert shown_record is not None
        if shown_record.key in by_key:
            kind = {"url_to_video": "video", "text_to_speech": "audio",
                    "product_image": "image"}[shown_record.generator]
            assert dialog.kind == kind, shown_record.generator
            # A sound gets the compact player, a picture the full window again.
            assert (dialog.height() < 200) == (kind == "audio"), (kind, dialog.size())
    dialog.close()
    await idle()
