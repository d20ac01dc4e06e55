"""Your own avatars and voices in the real window, against the simulator over loopback HTTP
and (for the recording a voice is cloned from) moto's S3 server on loopback.

A custom avatar is uploaded from File → My avatars and voices…, reads "In review", then
"Ready" when the simulator's review ends, appears in AI Avatar's avatar list and is sent with
a job; a voice is cloned from a local audio file (uploaded to the bucket first), chosen in
Text to Speech and sent, then deleted after a confirmation and gone from the voice list.
Files that are not what Creatify takes are refused before anything is sent.

Async tests run on a qasync loop (see conftest.py): no ``qtbot.wait*`` in here.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.jobs.ledger import DownloadState, JobRecord, JobState
from app.sandbox import Sandbox
from app.sandbox.handlers.catalogues import REVIEW_SECONDS
from app.sandbox.media import MEDIA_DIR
from app.uploads import StorageConfig, StorageKeys
from tests.core.s3_server import ADMIN_KEY_ID, ADMIN_SECRET, S3Server, s3_server  # noqa: F401
from tests.gui.clipping import clipped_in
from tests.gui.conftest import idle, until
from tests.gui.test_local_files import set_up_storage, use_memory_keyring
from tests.gui.test_queue import send_from_form
from tests.gui.test_window import Studio, connect_to, studio  # noqa: F401
from ui.common.theme import apply_theme
from ui.forms.pickers import AccentPicker, PersonaPicker
from ui.own_media import OwnMediaDialog, fixed_storage, open_own_media, own_media_of
from ui.own_media._records import OwnAvatar, OwnMediaBook, OwnVoice, review_state

SCRIPT = "Hello from a voice of my own. " * 4


def creates(simulator: Sandbox, path: str) -> list[Any]:
    """The requests the simulator received on ``path`` (method, target)."""
    return [(m, p) for m, p in simulator.request_log if p.split("?")[0] == path]


def picker_values(picker: PersonaPicker | AccentPicker) -> list[str]:
    """The catalogue's rows of a picker (not a chosen value it keeps "not in the list")."""
    rows = (picker.model.row_info(r) for r in range(picker.model.rowCount()))
    return [r.value for r in rows if r is not None and not r.label.endswith(
        "(not in the list)")]


def ledger_job(st: Studio, generator: str) -> JobRecord | None:
    ledger = st.service.session.ledger
    assert ledger is not None
    found = [r for r in ledger.page(limit=100) if r.generator == generator]
    return found[0] if found else None


def finished_and_saved(st: Studio, generator: str) -> bool:
    """The generator's job is done and its result downloaded (no download left running)."""
    job = ledger_job(st, generator)
    return job is not None and job.state is JobState.DONE \
        and job.download_state is DownloadState.DONE


def copy_sample(name: str, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MEDIA_DIR / name, to)
    return to


def own_dialog(st: Studio) -> OwnMediaDialog:
    dialog = st.window.findChild(OwnMediaDialog, "own_media_dialog")
    assert isinstance(dialog, OwnMediaDialog)
    return dialog


async def test_an_avatar_uploaded_is_in_review_then_ready_and_used_in_a_job(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    simulator.set_faults(fail_rate=0.0)
    await connect_to(studio, simulator)
    window = studio.window
    action = window.findChild(QAction, "action_own_media")
    assert action is not None and action.text() == "My &avatars and voices…"
    action.trigger()  # File → My avatars and voices…
    dialog = own_dialog(studio)
    assert dialog.isVisible() and dialog.windowTitle() == "My avatars and voices"
    dialog.desk.set_poll_seconds(0.05)

    # Not a video Creatify takes: refused when chosen, nothing sent.
    dialog.avatar_file.set_path(copy_sample("sample.png", tmp_path / "not a video.mp4"))
    await until(lambda: "MP4" in dialog.avatar_status.label.text())
    assert "not a video.mp4" in dialog.avatar_status.label.text()
    assert dialog.avatar_file.path is None and not dialog.avatar_upload.isEnabled()
    webm = tmp_path / "clip.webm"
    webm.write_bytes(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04"
                     b"\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"
                     + bytes(64))
    dialog.avatar_file.set_path(webm)
    await until(lambda: "WEBM video" in dialog.avatar_status.label.text())
    assert "MP4 or MOV only" in dialog.avatar_status.label.text()
    assert creates(simulator, "/api/personas_v2/") == []

    # A real MP4: checked, named, uploaded once; its row reads "In review".
    video = copy_sample("sample.mp4", tmp_path / "me talking.mp4")
    dialog.avatar_file.set_path(video)
    await until(lambda: dialog.avatar_status.label.text().startswith("MP4 video"))
    assert not dialog.avatar_upload.isEnabled()  # name and scene still missing
    dialog.avatar_name.setText("Robin (own)")
    dialog.avatar_gender.setCurrentIndex(dialog.avatar_gender.findData("nb"))
    dialog.avatar_scene.setText("studio")
    assert dialog.avatar_upload.isEnabled()
    dialog.avatar_upload.click()
    assert not dialog.avatar_upload.isEnabled()  # no second upload while this one runs
    await until(lambda: "in review" in dialog.avatar_status.label.text(), timeout=10,
                message=f"not uploaded: {dialog.avatar_status.label.text()}")
    [avatar] = dialog.desk.book.avatars
    assert avatar.name == "Robin (own)" and avatar.gender == "nb" and avatar.scene == "studio"
    assert dialog.avatar_status_of(avatar.id) in ("In review", "Ready")
    assert creates(simulator, "/api/personas_v2/") == [("POST", "/api/personas_v2/")]
    assert simulator.create_log == [] or all(
        r.path != "/api/personas_v2/" for r in simulator.create_log)  # not a paid create

    # The simulator's review ends; the row reads "Ready"; AI Avatar offers it.
    tab = window.show_generator("avatar_v1")
    [picker] = [p for p in tab.findChildren(PersonaPicker) if p.field.name == "creator"]
    await until(lambda: picker.loaded, timeout=10)
    await until(lambda: dialog.avatar_status_of(avatar.id) == "Ready",
                timeout=10 + REVIEW_SECONDS / 1000)
    await until(lambda: avatar.id in picker_values(picker), timeout=10,
                message="the avatar picker never listed the accepted avatar")
    faces = [r.thumbnail for r in (picker.model.row_info(i)
                                   for i in range(picker.model.rowCount())) if r is not None]
    assert f"/media/personas/{avatar.id}_1_1.png" in " ".join(str(f) for f in faces)
    await until(lambda: all(picker.thumbnails.pixmap(f) is not None for f in faces if f),
                timeout=10, message="the avatars' faces (the new one's too) did not load")
    saved = json.loads((studio.service.data_dir / "own_media.json").read_text())
    assert [a["state"] for a in saved["sandbox"]["avatars"]] == ["ready"]

    # Picked in AI Avatar and sent: the job carries its id.
    before = len(simulator.create_log)
    await send_from_form(studio, "avatar_v1", {"creator": avatar.id, "text": SCRIPT})
    await until(lambda: ledger_job(studio, "avatar_v1") is not None, timeout=10)
    job = ledger_job(studio, "avatar_v1")
    assert job is not None and job.request["creator"] == avatar.id
    await until(lambda: any(r.path == "/api/lipsyncs/" for r in simulator.create_log[before:]))
    sent = [r for r in simulator.create_log[before:] if r.path == "/api/lipsyncs/"]
    assert [r.body["creator"] for r in sent] == [avatar.id]
    await until(lambda: finished_and_saved(studio, "avatar_v1"), timeout=20)
    dialog.close()
    await idle(timeout=15)  # the finished job's download, the pickers' images


async def test_a_voice_cloned_from_a_local_file_is_used_then_deleted(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    simulator.set_faults(fail_rate=0.0)
    use_memory_keyring(studio)
    await connect_to(studio, simulator)
    action = studio.window.findChild(QAction, "action_own_media")
    assert action is not None
    action.trigger()  # File → My avatars and voices…
    dialog = own_dialog(studio)
    dialog.tabs.setCurrentIndex(1)
    posts_before = creates(simulator, "/api/voices/").count(("POST", "/api/voices/"))

    # No storage set up yet: the clone says where to set it up; nothing is sent.
    dialog.voice_file.set_path(copy_sample("sample.mp3", tmp_path / "first try.mp3"))
    await until(lambda: dialog.voice_status.label.text().startswith("Recording of"))
    dialog.voice_clone.click()
    await until(lambda: "Settings → Storage" in dialog.voice_status.label.text(), timeout=10)
    assert creates(simulator, "/api/voices/").count(("POST", "/api/voices/")) == posts_before
    assert dialog.desk.book.voices == []
    bucket = s3_server.new_bucket()
    await set_up_storage(studio, s3_server, bucket)  # Settings → Storage, as a creator does

    # Not audio: refused when chosen, nothing uploaded or sent.
    dialog.voice_file.set_path(copy_sample("sample.png", tmp_path / "voice.mp3"))
    await until(lambda: "audio file" in dialog.voice_status.label.text())
    assert dialog.voice_file.path is None and not dialog.voice_clone.isEnabled()

    recording = copy_sample("sample.mp3", tmp_path / "my narration.mp3")
    dialog.voice_file.set_path(recording)
    assert dialog.voice_name.text() == "my narration"  # the file's name, to start from
    dialog.voice_name.setText("My narrator")
    await until(lambda: dialog.voice_status.label.text().startswith("Recording of"))
    dialog.voice_clone.click()
    await until(lambda: "ready" in dialog.voice_status.label.text(), timeout=15,
                message=f"no clone: {dialog.voice_status.label.text()}")
    [voice] = dialog.desk.book.voices
    assert voice.name == "My narrator" and voice.file == "my narration.mp3"
    # The recording went to the bucket; Creatify was given its (presigned) address, once.
    objects = s3_server.client().list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    [stored] = objects["Contents"]
    assert stored["Key"].endswith(".mp3") and stored["Size"] == recording.stat().st_size
    assert creates(simulator, "/api/voices/").count(("POST", "/api/voices/")) \
        == posts_before + 1
    assert dialog.voices.rowCount() == 1
    first = dialog.voices.item(0, 0)
    assert first is not None and first.text() == "My narrator"

    # Chosen in Text to Speech and sent.
    tab = studio.window.show_generator("text_to_speech")
    [picker] = tab.findChildren(AccentPicker)
    await until(lambda: voice.accent_id in picker_values(picker), timeout=10,
                message="the voice picker never listed the clone")
    before = len(simulator.create_log)
    await send_from_form(studio, "text_to_speech", {"script": SCRIPT,
                                                    "accent": voice.accent_id})
    await until(lambda: ledger_job(studio, "text_to_speech") is not None, timeout=10)
    job = ledger_job(studio, "text_to_speech")
    assert job is not None and job.request["accent"] == voice.accent_id
    await until(lambda: any(r.path == "/api/text_to_speech/"
                            for r in simulator.create_log[before:]))
    assert [r.body["accent"] for r in simulator.create_log[before:]
            if r.path == "/api/text_to_speech/"] == [voice.accent_id]
    await until(lambda: finished_and_saved(studio, "text_to_speech"), timeout=20)

    # Deleted, after a confirmation: gone from the list, Creatify and the picker.
    dialog.tabs.setCurrentIndex(1)
    dialog.voices.selectRow(0)
    assert dialog.voice_delete.isEnabled()
    box = dialog.ask_delete_voice()
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "My narrator" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert creates(simulator, f"/api/voices/accents/{voice.accent_id}/") == []  # not yet
    confirm = box.findChild(QPushButton, "confirm_delete")
    assert confirm is not None
    confirm.click()
    await until(lambda: "was deleted" in dialog.delete_status.label.text(), timeout=10)
    assert not dialog.desk.book.voices
    assert creates(simulator, f"/api/voices/accents/{voice.accent_id}/") == [
        ("DELETE", f"/api/voices/accents/{voice.accent_id}/")]
    assert dialog.voices.rowCount() == 0
    await until(lambda: voice.accent_id not in picker_values(picker), timeout=10)
    client = studio.service.session.client
    assert client is not None
    assert all(a["id"] != voice.accent_id for v in await client.voices()
               for a in v["accents"])
    dialog.close()
    await idle(timeout=15)  # the finished job's download, the pickers' images


async def test_an_avatar_in_review_at_start_is_followed_with_the_window_closed(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """An avatar uploaded in an earlier run, still in review: the record says so; the hidden
    dialog (as the window makes it at start) follows the review and the avatar pickers get
    it when it passes."""
    await connect_to(studio, simulator)
    client = studio.service.session.client
    assert client is not None
    made = await client.upload_avatar(copy_sample("sample.mp4", tmp_path / "old.mp4"),
                                      "video/mp4", creator_name="Earlier", gender="f",
                                      video_scene="hall")
    earlier = OwnMediaBook(studio.service.data_dir / "own_media.json", "sandbox")
    earlier.add_avatar(OwnAvatar(id=made["id"], name="Earlier", gender="f", scene="hall",
                                 file="old.mp4"))
    earlier.save_now()
    tab = studio.window.show_generator("avatar_v1")
    [picker] = [p for p in tab.findChildren(PersonaPicker) if p.field.name == "creator"]
    await until(lambda: picker.loaded, timeout=10)
    assert made["id"] not in picker_values(picker)  # in review: not offered
    dialog = own_media_of(studio.window)
    assert dialog is not None and not dialog.isVisible()
    assert dialog.avatar_status_of(made["id"]) == "In review"
    dialog.desk.set_poll_seconds(0.05)
    await until(lambda: dialog.avatar_status_of(made["id"]) == "Ready",
                timeout=10 + REVIEW_SECONDS / 1000)
    await until(lambda: made["id"] in picker_values(picker), timeout=10)
    assert own_media_of(studio.window) is dialog  # one per window
    await until(lambda: all(picker.thumbnails.pixmap(r.thumbnail) is not None
                            for r in (picker.model.row_info(i)
                                      for i in range(picker.model.rowCount()))
                            if r is not None and r.thumbnail), timeout=10)
    await idle(timeout=15)


async def test_an_upload_whose_answer_is_lost_is_said_and_never_sent_again(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    await connect_to(studio, simulator)
    dialog = open_own_media(studio.window, fixed_storage(
        StorageConfig(bucket="unused-bucket"), StorageKeys("unused", "unused")))
    assert dialog is not None
    dialog.avatar_file.set_path(copy_sample("sample.mp4", tmp_path / "take two.mov"))
    dialog.avatar_name.setText("Take two")
    dialog.avatar_scene.setText("garden")
    await until(lambda: dialog.avatar_status.label.text().startswith("MP4 video"))
    sent_before = len(creates(simulator, "/api/personas_v2/"))
    simulator.set_faults(error_rate=1.0)  # every answer a 5xx
    try:
        dialog.avatar_upload.click()
        await until(lambda: "may or may not" in dialog.avatar_status.label.text(), timeout=10)
    finally:
        simulator.set_faults(error_rate=0.0)
    assert len(creates(simulator, "/api/personas_v2/")) == sent_before + 1  # once, no retry
    assert dialog.desk.book.avatars == [] and dialog.avatars.rowCount() == 0
    assert dialog.avatar_upload.isEnabled()  # the creator decides whether to try again
    dialog.close()
    await idle(timeout=15)  # the finished job's download, the pickers' images


async def test_no_text_is_clipped_in_either_theme_even_narrow(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Both tabs, with every status line filled, light and dark, at the dialog's size and
    at 560 × 520: every label and button shows its whole text."""
    await connect_to(studio, simulator)
    dialog = open_own_media(studio.window, fixed_storage(
        StorageConfig(bucket="unused-bucket"), StorageKeys("unused", "unused")))
    assert dialog is not None
    dialog.avatar_status.start("Uploading “a rather long file name for a video.mp4”…")
    dialog.avatar_status.progress(3_000_000, 40_000_000)
    dialog.voice_status.done(False, "Set up your storage in Settings first (a bucket and its "
                                    "access keys).")
    dialog.delete_status.done(True, "“My narrator” was deleted.")
    try:
        for theme in ("light", "dark"):
            apply_theme(theme)
            for width, height in ((720, 560), (560, 520)):
                dialog.resize(width, height)
                for tab in range(dialog.tabs.count()):
                    dialog.tabs.setCurrentIndex(tab)
                    await asyncio.sleep(0.05)
                    assert clipped_in(dialog) == [], (theme, width, tab)
    finally:
        apply_theme("light")
    dialog.close()
    await idle(timeout=15)


# ---------------------------------------------------------------------------- the record


def test_the_record_keeps_each_mode_apart_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "own_media.json"
    sandbox = OwnMediaBook(path, "sandbox")
    sandbox.add_avatar(OwnAvatar(id="a1", name="Me", gender="f", scene="office",
                                 file="me.mp4"))
    sandbox.add_voice(OwnVoice(accent_id="v1", name="Narrator", file="n.mp3"))
    sandbox.save_now()
    live = OwnMediaBook(path, "live")
    assert live.avatars == [] and live.voices == []
    live.add_voice(OwnVoice(accent_id="v9", name="Live voice", file="l.wav"))
    live.save_now()
    again = OwnMediaBook(path, "sandbox")  # the live part was written beside it
    assert [a.id for a in again.avatars] == ["a1"] and again.in_review() == again.avatars
    assert again.set_review("a1", "ready") and not again.set_review("a1", "ready")
    assert again.avatars[0].status == "Ready" and again.in_review() == []
    again.forget_voice("v1")
    again.save_now()
    assert OwnMediaBook(path, "sandbox").voices == []
    assert [v.accent_id for v in OwnMediaBook(path, "live").voices] == ["v9"]


def test_a_damaged_record_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "own_media.json"
    for text in ("{nope", json.dumps({"format": 99}), json.dumps(
            {"format": 1, "sandbox": {"avatars": [{"bogus": 1}]}})):
        path.write_text(text)
        book = OwnMediaBook(path, "sandbox")
        assert book.avatars == [] and book.voices == []


def test_a_review_reads_from_is_active_and_a_reason() -> None:
    assert review_state({"is_active": False, "process_status": "pending"}) == ("review", "")
    assert review_state({"is_active": True, "process_status": "done"}) == ("ready", "")
    assert review_state({"is_active": "true"}) == ("ready", "")
    assert review_state({"is_active": False, "process_status": "failed",
                         "failed_reason": "Too dark"}) == ("failed", "Too dark")
    # an unknown status word is still in review, never failed or ready
    assert review_state({"is_active": False, "process_status": "queued_for_humans",
                         "failed_reason": ""}) == ("review", "")
    failed = OwnAvatar(id="x", name="X", gender="m", scene="s", file="x.mov", state="failed",
                       reason="Too dark")
    assert failed.status == "Not accepted: Too dark"
