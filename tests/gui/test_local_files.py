"""Local files on a form's media fields, in the real window: storage set up in Settings (keys in
the keyring), a local image and a local audio dropped on Aurora's fields, uploaded to a real
S3-compatible server (moto's, on loopback), the estimate from the audio's real length, the job
sent through the cost confirmation and done in the simulator; and each way it can go wrong
said in plain words, with nothing lost.

Drops are delivered to the field itself: the window's drop router (an application event filter
installed only while an outside drag is over the window) is not watching then.
"""

from __future__ import annotations

import json
import os
import shutil
import wave
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QPushButton

from app.generators import BY_KEY
from app.jobs.ledger import JobRecord, JobState
from app.pricing import estimate, total_credits
from app.sandbox import Sandbox
from app.sandbox.media import IMAGE
from app.uploads import StorageKeys, StorageKeyStore
from tests.core.s3_server import ADMIN_KEY_ID, ADMIN_SECRET, S3Server, s3_server
from tests.gui.clipping import clipped_in
from tests.gui.conftest import until
from tests.gui.test_drop_routing import drag_and_drop, on_screen
from tests.gui.test_window import (  # noqa: F401
    Studio,
    confirmation,
    connect_to,
    expected_text,
    studio,
)
from ui.dialogs import SettingsDialog
from ui.forms.local_media import LocalMediaEditor
from ui.generator.tab import GeneratorTab
from ui.uploads import NOT_SET_UP

__all__ = ["s3_server"]

AUDIO_SECONDS = 12.4


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return path


def local_image(tmp_path: Path) -> Path:
    target = tmp_path / "portrait photo.png"
    shutil.copyfile(IMAGE.path, target)
    return target


def use_memory_keyring(st: Studio) -> StorageKeyStore:
    store = StorageKeyStore(backend=st.keyring, trust_backend=True)
    st.service.uploads.key_store = store
    return store


def drop_file(editor: LocalMediaEditor, path: Path) -> None:
    """Drag ``path`` from a file manager onto the field's line and drop it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    where = QPointF(editor.edit.rect().center())
    action, buttons = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(where, action, mime, buttons,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(editor.edit, enter)
    assert enter.isAccepted(), "the field refused the drag"
    drop = QDropEvent(where, action, mime, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(editor.edit, drop)


def field(tab: GeneratorTab, name: str) -> LocalMediaEditor:
    editor = tab.form.editors[name]
    assert isinstance(editor, LocalMediaEditor), type(editor)
    return editor


async def settled(editor: LocalMediaEditor) -> None:
    await until(lambda: editor.uploading is None, timeout=20,
                message=f"still uploading: {editor.note.text()}")


async def open_settings(st: Studio) -> SettingsDialog:
    st.window.open_settings()
    await until(lambda: any(d.isVisible() for d in st.window.findChildren(SettingsDialog)))
    return [d for d in st.window.findChildren(SettingsDialog) if d.isVisible()][-1]


async def set_up_storage(st: Studio, server: S3Server, bucket: str,
                         key_id: str = ADMIN_KEY_ID, secret: str = ADMIN_SECRET) -> None:
    """Settings → Storage filled in as a creator does: test, then save."""
    dialog = await open_settings(st)
    dialog.show_storage()
    page = dialog.storage
    page.endpoint.setText(server.endpoint)
    page.bucket.setText(bucket)
    page.region.setText("us-east-1")
    page.path_style.setChecked(True)
    page.key_id.setText(key_id)
    page.secret.setText(secret)
    page.test_button.click()
    await until(lambda: page.test_button.isEnabled() and "Testing" not in page.outcome.text(),
                timeout=20)
    assert "Storage works" in page.outcome.text(), page.outcome.text()
    await save(dialog)


async def save(dialog: SettingsDialog) -> None:
    """Save, and wait for the dialog to close accepted (it is deleted then)."""
    results: list[int] = []
    dialog.finished.connect(results.append)
    button = dialog.findChild(QPushButton, "settings_save")
    assert button is not None
    button.click()
    await until(lambda: bool(results), timeout=10,
                message=dialog.problem.text() if shiboken6.isValid(dialog) else "")
    assert results == [QDialog.DialogCode.Accepted.value]


def in_bucket(server: S3Server, bucket: str, keys: StorageKeys | None = None) -> list[str]:
    client = server.client(keys.access_key_id, keys.secret_access_key) if keys \
        else server.client()
    listing = client.list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    return [item["Key"] for item in listing.get("Contents", [])]


async def test_local_image_and_audio_on_aurora_uploaded_estimated_and_sent(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    simulator.set_faults(fail_rate=0.0)
    store = use_memory_keyring(studio)
    bucket = s3_server.new_bucket()
    await set_up_storage(studio, s3_server, bucket)
    # The keys are in the keyring, the rest in the settings file (never the secret).
    assert store.load() == StorageKeys(ADMIN_KEY_ID, ADMIN_SECRET)
    saved = (studio.data_dir / "config" / "settings.json").read_text()
    assert ADMIN_SECRET not in saved and ADMIN_KEY_ID not in saved
    assert json.loads(saved)["storage_bucket"] == bucket

    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    image, audio = field(tab, "image"), field(tab, "audio")
    picture = local_image(tmp_path)
    voice = write_wav(tmp_path / "my voice.wav", AUDIO_SECONDS)

    drop_file(image, picture)
    # Reading and uploading: Generate waits, and says why.
    assert image.uploading == picture
    tab.refresh()
    assert not tab.submit_button.isEnabled()
    assert "Uploading “portrait photo.png”" in tab.hint.text()
    await settled(image)
    assert image.value() is not None and image.value().startswith(s3_server.endpoint)
    assert "uploaded" in image.note.text()

    drop_file(audio, voice)
    await settled(audio)
    keys = in_bucket(s3_server, bucket)
    assert len(keys) == 2 and {Path(k).suffix for k in keys} == {".png", ".wav"}
    assert all(k.startswith("creatify-uploads/") for k in keys)
    # The estimate: the audio's real length, not the default 10 s.
    assert tab.duration is not None
    assert tab.duration.seconds() == pytest.approx(AUDIO_SECONDS)
    assert "Read from the file" in tab.duration.hint.text()
    aurora = BY_KEY["aurora"]
    assert tab.estimator.credits.text() == expected_text(aurora, tab, AUDIO_SECONDS)
    assert expected_text(aurora, tab, AUDIO_SECONDS) != expected_text(aurora, tab, 10)

    # The same audio again (another name): found in the bucket, not sent again.
    again = tmp_path / "same voice.wav"
    shutil.copyfile(voice, again)
    link = audio.value()
    drop_file(audio, again)
    await settled(audio)
    assert "already in your storage" in audio.note.text()
    assert len(in_bucket(s3_server, bucket)) == 2
    assert audio.value() is not None and link is not None

    # Sent through the cost confirmation, with the links; done in the simulator.
    await until(lambda: tab.submit_button.isEnabled(), timeout=10,
                message=f"Generate disabled: {tab.hint.text()}")
    tab.submit_button.click()
    await until(lambda: confirmation(studio.window) is not None)
    box = confirmation(studio.window)
    assert box is not None
    sent_before = len(simulator.create_log)
    send = box.findChild(QPushButton, "confirm_send")
    assert send is not None
    send.click()

    def job() -> JobRecord | None:
        ledger = studio.service.session.ledger
        assert ledger is not None
        done = [r for r in ledger.page(limit=50) if r.generator == "aurora"]
        return done[0] if done else None
    await until(lambda: (r := job()) is not None and r.state is JobState.DONE, timeout=30)
    record = job()
    assert record is not None
    assert record.request["image"] == image.value()
    assert record.request["audio"] == audio.value()
    # Estimated from the file's 12.4 s (the simulator, which never fetches a foreign link,
    # assumes its own length for the job it runs).
    requests = aurora.price_requests(tab.values(), AUDIO_SECONDS, tab.selected_flow())
    assert record.estimate == total_credits(estimate(r) for r in requests)
    assert len(simulator.create_log) == sent_before + 1  # one create, never retried


async def test_wrong_type_and_unreadable_length_are_said_and_nothing_is_lost(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    use_memory_keyring(studio)
    bucket = s3_server.new_bucket()
    await set_up_storage(studio, s3_server, bucket)
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    image, audio = field(tab, "image"), field(tab, "audio")
    before = "https://cdn.example.com/face.png"
    image.set_value(before)

    # An audio file on the image field: refused by what its bytes are, the value kept.
    drop_file(image, write_wav(tmp_path / "voice.wav", 3))
    await settled(image)
    assert image.value() == before
    assert "“voice.wav” is an audio file; this field takes an image" in image.note.text()
    # Text that calls itself a picture.
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture at all")
    drop_file(image, fake)
    await settled(image)
    assert image.value() == before and "“notes.png” is not a media file" in image.note.text()

    # An audio file whose length cannot be read: said, and the length is left to the
    # creator (no estimate from a guess); it is still uploaded.
    silent = write_wav(tmp_path / "empty.wav", 0)
    drop_file(audio, silent)
    await settled(audio)
    assert "length of “empty.wav” could not be read" in audio.note.text()
    assert "Enter its length under the estimate" in audio.note.text()
    assert tab.duration is not None and tab.duration.seconds() is None
    assert "could not be read: enter it here" in tab.duration.hint.text()
    tab.refresh()
    assert not tab.submit_button.isEnabled()
    assert tab.current_quote is not None and tab.current_quote.error

    # Audio longer than Aurora 2.0 takes: said before anything is sent.
    tab.form.editors["model_version"].set_value("aurora_v2")
    drop_file(audio, write_wav(tmp_path / "long.wav", 75))
    await settled(audio)
    tab.refresh()
    assert not tab.submit_button.isEnabled()
    assert "plays 75.0 s; Aurora takes at most 59.7 s" in tab.form.errors["audio"].text()


async def test_storage_not_set_up_points_to_its_settings(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    use_memory_keyring(studio)
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    audio = field(tab, "audio")
    drop_file(audio, write_wav(tmp_path / "voice.wav", 7.5))
    await settled(audio)
    assert audio.value() is None
    assert NOT_SET_UP in audio.note.text()
    # Its length already prices the job.
    assert tab.duration is not None and tab.duration.seconds() == pytest.approx(7.5)
    assert audio.settings_button.isVisible()
    audio.settings_button.click()
    await until(lambda: any(d.isVisible() for d in studio.window.findChildren(SettingsDialog)))
    dialog = [d for d in studio.window.findChildren(SettingsDialog) if d.isVisible()][-1]
    assert dialog.pages.currentWidget() is dialog.storage
    dialog.reject()


@pytest.fixture
def strict_keys(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
                ) -> tuple[str, StorageKeys]:
    """A bucket and an IAM user allowed to use it; the server then checks every request's
    keys and signature (moto's INITIAL_NO_AUTH_ACTION_COUNT, set back after the test)."""
    from moto import settings

    iam = s3_server.client(service="iam")
    name = f"creator-{os.urandom(4).hex()}"
    iam.create_user(UserName=name)  # type: ignore[attr-defined]
    iam.put_user_policy(UserName=name, PolicyName="s3",  # type: ignore[attr-defined]
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]  # type: ignore[attr-defined]
    bucket = s3_server.new_bucket()
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    return bucket, StorageKeys(key["AccessKeyId"], key["SecretAccessKey"])


async def test_wrong_keys_are_said_in_the_test_and_on_the_field(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        strict_keys: tuple[str, StorageKeys], tmp_path: Path) -> None:
    bucket, good = strict_keys
    store = use_memory_keyring(studio)
    dialog = await open_settings(studio)
    page = dialog.storage
    page.endpoint.setText(s3_server.endpoint)
    page.bucket.setText(bucket)
    page.path_style.setChecked(True)
    page.key_id.setText(good.access_key_id)
    page.secret.setText("y" * 40)
    page.test_button.click()
    await until(lambda: page.test_button.isEnabled() and "Testing" not in page.outcome.text(),
                timeout=20)
    assert "The storage refused the secret access key" in page.outcome.text()
    await save(dialog)  # saved anyway: the creator's call
    assert store.load() == StorageKeys(good.access_key_id, "y" * 40)

    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    image = field(tab, "image")
    drop_file(image, local_image(tmp_path))
    await settled(image)
    assert image.value() is None
    assert "was not uploaded: The storage refused the secret access key" in image.note.text()
    assert image.settings_button.isVisible()
    assert in_bucket(s3_server, bucket, good) == []

    # Fixed in Settings: the next drop works with the new keys at once.
    await set_up_storage(studio, s3_server, bucket, good.access_key_id, good.secret_access_key)
    drop_file(image, local_image(tmp_path))
    await settled(image)
    assert image.value() is not None and "uploaded" in image.note.text()
    assert len(in_bucket(s3_server, bucket, good)) == 1


async def test_a_link_on_this_computer_is_refused_when_connected_to_creatify(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    """The real API fetches the file from the internet: a storage on loopback (as moto's is
    here) cannot serve it, so a live connection says so before sending; the sandbox, on this
    computer too, takes it (see the previous tests)."""
    from app.api.client import CreatifyClient
    from app.jobs.scheduler import PollPolicy
    from ui.service import Mode

    use_memory_keyring(studio)
    await set_up_storage(studio, s3_server, s3_server.new_bucket())
    service = studio.service
    await service.session.use_client(CreatifyClient("live-id", "live-key",
                                                    base_url=simulator.base_url),
                                     studio.data_dir / "jobs.sqlite3",
                                     PollPolicy().scaled(1000), Mode.LIVE)
    tab = studio.window.show_generator("aurora")
    image = field(tab, "image")
    drop_file(image, local_image(tmp_path))
    await settled(image)
    assert image.value() is not None
    tab.refresh()
    assert not tab.submit_button.isEnabled()
    assert "points at 127.0.0.1, on your own computer or network" in \
        tab.form.errors["image"].text()
    # A public address is fine.
    image.set_value("https://cdn.example.com/face.png")
    assert image.pending_problem() is None



async def test_choose_file_and_a_pasted_file_link(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    use_memory_keyring(studio)
    bucket = s3_server.new_bucket()
    await set_up_storage(studio, s3_server, bucket)
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    image, audio = field(tab, "image"), field(tab, "audio")
    # Choose file…: the file dialog offers images first, and the chosen file goes up.
    image.choose.click()
    dialogs = [d for d in image.findChildren(QFileDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].nameFilters()[0].startswith("Image (*.png")
    dialogs[0].selectFile(str(local_image(tmp_path)))
    dialogs[0].accept()
    await settled(image)
    assert image.value() is not None and "uploaded" in image.note.text()
    # A file:// link pasted in the line is taken as the file it names.
    voice = write_wav(tmp_path / "pasted voice.wav", 4.2)
    audio.edit.setText(QUrl.fromLocalFile(str(voice)).toString())
    QTest.keyClick(audio.edit, Qt.Key.Key_Return)
    await settled(audio)
    assert audio.value() is not None and audio.value().startswith(s3_server.endpoint)
    assert tab.duration is not None and tab.duration.seconds() == pytest.approx(4.2)
    assert len(in_bucket(s3_server, bucket)) == 2


async def test_an_expiring_link_and_one_too_long_for_its_field_are_not_sent(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    use_memory_keyring(studio)
    await set_up_storage(studio, s3_server, s3_server.new_bucket())
    await connect_to(studio, simulator)
    # Product Video (image) takes a product image link of at most 200 characters; a signed
    # link is longer: said in words, with what to do (the link is never cut).
    tab = studio.window.show_generator("product_image")
    product = field(tab, "product_url")
    drop_file(product, local_image(tmp_path))
    await settled(product)
    link = product.value()
    assert link is not None and len(link) > 200 and product.edit.text() == link
    tab.refresh()
    assert not tab.submit_button.isEnabled()
    assert f"is {len(link)} characters; this field takes at most 200" in \
        tab.form.errors["product_url"].text()
    assert "public links in Settings → Storage" in tab.form.errors["product_url"].text()

    # A signed link about to expire (a form left open for days) is not sent.
    aurora = studio.window.show_generator("aurora")
    image = field(aurora, "image")
    drop_file(image, local_image(tmp_path))
    await settled(image)
    assert image.pending_problem() is None and image.uploaded is not None
    image.uploaded = replace(image.uploaded,
                             expires_at=datetime.now(UTC) + timedelta(minutes=5))
    assert image.pending_problem() == ("The link to the uploaded file expires in less than "
                                       "15 minutes: choose the file again for a new link (it "
                                       "is not uploaded twice).")


async def test_saved_keys_are_kept_replaced_or_removed_and_nothing_is_clipped(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    store = use_memory_keyring(studio)
    bucket = s3_server.new_bucket()
    await set_up_storage(studio, s3_server, bucket)
    # Opened again: the key ID is shown, the secret never (it stays in the keyring).
    dialog = await open_settings(studio)
    dialog.show_storage()
    page = dialog.storage
    await until(lambda: page.key_id.text() == ADMIN_KEY_ID)
    assert page.secret.text() == "" and "saved" in page.secret.placeholderText()
    assert clipped_in(dialog) == []
    page.bucket.setText("Not A Bucket")
    button = dialog.findChild(QPushButton, "settings_save")
    assert button is not None
    button.click()  # refused with the storage's own words, on its page
    assert "'Not A Bucket' is not a valid bucket name" in dialog.problem.text()
    assert dialog.isVisible() and dialog.pages.currentWidget() is page
    page.bucket.setText(bucket)
    await save(dialog)  # nothing typed in the key fields: the saved pair stays
    assert store.load() == StorageKeys(ADMIN_KEY_ID, ADMIN_SECRET)
    # Both emptied: the keys leave the keyring, and the next upload says to enter them.
    dialog = await open_settings(studio)
    await until(lambda: dialog.storage.key_id.text() == ADMIN_KEY_ID)
    dialog.storage.key_id.clear()
    await save(dialog)
    assert store.load() is None
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    image = field(tab, "image")
    drop_file(image, local_image(tmp_path))
    await settled(image)
    assert image.value() is None and "No storage access keys are saved" in image.note.text()
    assert image.settings_button.isVisible()
    assert clipped_in(tab) == []


async def test_a_big_file_shows_its_progress_in_the_field(
        studio: Studio, simulator: Sandbox, s3_server: S3Server,  # noqa: F811
        tmp_path: Path) -> None:
    use_memory_keyring(studio)
    bucket = s3_server.new_bucket()
    await set_up_storage(studio, s3_server, bucket)
    await connect_to(studio, simulator)
    tab = studio.window.show_generator("aurora")
    audio = field(tab, "audio")
    big = write_wav(tmp_path / "long take.wav", 240, rate=44100)  # ~21 MB: sent in parts
    seen: list[int] = []
    audio.bar.valueChanged.connect(lambda value: seen.append(value) if audio.bar.isVisible()
                                   else None)
    drop_file(audio, big)
    await until(lambda: audio.bar.isVisible(), timeout=10)
    assert "Uploading long take.wav" in audio.bar.format()
    await settled(audio)
    assert not audio.bar.isVisible() and "uploaded" in audio.note.text()
    assert any(0 < value < 1000 for value in seen), seen  # part-way, not only the end
    assert seen[-1] == 1000 and seen == sorted(seen)
    assert tab.duration is not None and tab.duration.seconds() == pytest.approx(240)


async def test_a_file_dragged_from_a_file_manager_reaches_the_field_through_the_window(
        studio: Studio, simulator: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """A real drag enters the window first (its drop router sees every child's drags): one
    local file over a field that uploads it is left to that field, not refused as a link."""
    use_memory_keyring(studio)
    await connect_to(studio, simulator)
    window = studio.window
    tab = window.show_generator("aurora")
    audio = field(tab, "audio")
    on_screen(audio)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_wav(tmp_path / "voice.wav", 4.0)))])
    drag_and_drop(window, audio.edit, mime)
    await settled(audio)
    assert "Not used" not in window.statusBar().currentMessage()
    assert NOT_SET_UP in audio.note.text()  # the field took it: no storage to send it to yet
    assert tab.duration is not None and tab.duration.seconds() == pytest.approx(4.0)
    assert window.batch_sheet is None
