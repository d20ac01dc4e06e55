"""The work behind "My avatars and voices": upload, follow the review, clone, delete.

:class:`OwnMediaDesk` runs each request as a task of the service (its ``TaskGroup``: kept,
reported, cancelled on close) and reports through signals; the dialog only calls it and
listens. It calls the service's connected client (``service.client``) because these four
calls are not jobs: nothing goes through the ledger or the
budget guard (the billing page prices neither an avatar nor a clone). Every call that changes
the account is sent once (the client never retries it) and a button cannot start a second one
while the first runs.

When an avatar passes its review the avatar catalogue is read again
(``service.load_catalogue("personas")``), so every avatar picker offers it; a clone or a
deletion reloads the voices the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from app.api.errors import NotFoundError
from app.atomic import write_text_atomically
from app.uploads import UnsupportedFile, inspect_local
from ui.own_media._records import FILE_NAME, OwnAvatar, OwnMediaBook, OwnVoice, review_state
from ui.own_media._storage import StorageSource

if TYPE_CHECKING:
    from ui.service import StudioService


class CreatifyClient(Protocol):
    """What the desk asks of the session's client (``app.api.client.CreatifyClient``)."""

    async def upload_avatar(self, video: str | Path, content_type: str, *, creator_name: str,
                            gender: str, video_scene: str | None = None,
                            keywords: str | None = None,
                            progress: Callable[[int, int], None] | None = None,
                            ) -> dict[str, Any]: ...

    async def persona(self, persona_id: str) -> dict[str, Any]: ...

    async def clone_voice(self, original_audio_url: str,
                          name: str | None = None) -> dict[str, Any]: ...

    async def delete_voice(self, accent_id: str) -> None: ...

log = logging.getLogger("ui.own_media")

AVATAR_TYPES = {"video/mp4": "MP4", "video/quicktime": "MOV"}
"""The training video types the BYOA guide accepts (``video/mp4``, ``video/quicktime``)."""
POLL_SECONDS = 5.0
"""How often an avatar under review is read (``GET /api/personas/{id}/``, free)."""
NOT_CONNECTED = "Connect first (File → API credentials…, or Try the sandbox)."


def _words(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc) or type(exc).__name__


class OwnMediaDesk(QObject):
    """Custom avatars and cloned voices of the service's current connection."""

    changed = Signal()                 # the lists (or a review) changed
    avatarProgress = Signal(int, int)  # bytes sent, total
    avatarDone = Signal(bool, str)     # accepted?, what to say
    voiceProgress = Signal(int, int)
    voiceDone = Signal(bool, str)
    deleteDone = Signal(bool, str)

    def __init__(self, service: StudioService, storage: StorageSource,
                 parent: QObject | None = None, *, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(parent)
        self.service = service
        self.storage = storage
        self.uploading_avatar = False
        self.cloning_voice = False
        self.deleting: set[str] = set()
        self._checking = False
        self._save_lock = asyncio.Lock()
        self._timer = QTimer(self)
        self._timer.setInterval(round(poll_seconds * 1000))
        self._timer.timeout.connect(self._tick)
        self.book = self._open_book()
        service.modeChanged.connect(self._mode_changed)
        self._follow_reviews()

    # ------------------------------------------------------------------ state

    def _open_book(self) -> OwnMediaBook:
        mode = str(self.service.mode)
        path = self.service.data_dir / FILE_NAME
        return OwnMediaBook(path if mode in ("sandbox", "live") else None, mode)

    def _mode_changed(self, _mode: str) -> None:
        self.book = self._open_book()
        self.changed.emit()
        self._follow_reviews()

    def _client(self) -> CreatifyClient | None:
        return self.service.client

    async def _save(self, book: OwnMediaBook) -> None:
        """Write ``book`` (the record of the connection a request was made on, which may no
        longer be the current one) in a worker thread, one write at a time."""
        path, text = book.path, book.text()
        if path is None:
            return
        async with self._save_lock:
            try:
                await asyncio.to_thread(write_text_atomically, path, text)
            except OSError as exc:
                log.warning("%s not written: %s", path, exc)

    def set_poll_seconds(self, seconds: float) -> None:
        """Read avatars under review this often (the sandbox's fast clock, tests)."""
        self._timer.setInterval(max(1, round(seconds * 1000)))

    def stop(self) -> None:
        """Stop following reviews (the window is closing)."""
        self._timer.stop()

    # ------------------------------------------------------------------ avatars

    def upload_avatar(self, path: str | Path, name: str, gender: str, scene: str) -> bool:
        """Upload a custom avatar's training video; False (and ``avatarDone``) when it
        cannot start. Sent once; the answer is an avatar in review."""
        client = self._client()
        if client is None:
            self.avatarDone.emit(False, NOT_CONNECTED)
            return False
        if self.uploading_avatar:
            return False
        self.uploading_avatar = True
        self.service.tasks.spawn(self._upload(client, Path(path), name, gender, scene),
                                 "upload avatar")
        return True

    async def _upload(self, client: CreatifyClient, path: Path, name: str, gender: str,
                      scene: str) -> None:
        try:
            ok, said = await self._send_avatar(client, path, name, gender, scene)
        finally:
            self.uploading_avatar = False  # before it is said: the button may be used again
        self.avatarDone.emit(ok, said)
        if ok:
            self._follow_reviews()

    async def _send_avatar(self, client: CreatifyClient, path: Path, name: str, gender: str,
                           scene: str) -> tuple[bool, str]:
        book = self.book  # the connection's record, whatever happens meanwhile
        try:
            local = await inspect_local(path, ("video",))
        except UnsupportedFile as exc:
            return False, exc.message
        except OSError as exc:
            return False, f"“{path.name}” could not be read ({exc.strerror or exc})."
        if local.media.content_type not in AVATAR_TYPES:
            return False, (f"“{path.name}” is a {local.media.extension[1:].upper()} video; "
                           f"Creatify takes a custom avatar's video as MP4 or MOV only.")
        try:
            made = await client.upload_avatar(
                path, local.media.content_type, creator_name=name, gender=gender,
                video_scene=scene, progress=self.avatarProgress.emit)
        except Exception as exc:
            return False, _words(exc)
        state, reason = review_state(made)
        book.add_avatar(OwnAvatar(id=str(made["id"]), name=name.strip(), gender=gender,
                                  scene=scene.strip(), file=path.name, state=state,
                                  reason=reason))
        if book is self.book:
            self.changed.emit()
        await self._save(book)
        return True, (f"“{name.strip()}” was uploaded and is in review at Creatify; it "
                      f"appears in the avatar lists once accepted.")

    def _follow_reviews(self) -> None:
        if self.book.in_review() and self._client() is not None:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()

    def _tick(self) -> None:
        client = self._client()
        if client is None or not self.book.in_review():
            self._timer.stop()
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # Qt events handled while no loop runs (closing): next time
            return
        if not self._checking:
            self._checking = True
            self.service.tasks.spawn(self._check_reviews(client), "avatar reviews")

    def check_reviews_now(self) -> None:
        """Read every avatar in review now (the timer does it every few seconds)."""
        self._tick()

    async def _check_reviews(self, client: CreatifyClient) -> None:
        book = self.book
        ready = False
        try:
            for avatar in book.in_review():
                try:
                    persona: dict[str, Any] = await client.persona(avatar.id)
                except NotFoundError:
                    book.set_review(avatar.id, "failed", "Creatify no longer has this avatar.")
                    continue
                except Exception as exc:  # a failed free read: tried again at the next tick
                    log.info("avatar %s not read: %s", avatar.id, _words(exc))
                    continue
                state, reason = review_state(persona)
                if book.set_review(avatar.id, state, reason) and state == "ready":
                    ready = True
        finally:
            self._checking = False
        await self._save(book)
        if book is not self.book:
            return
        self.changed.emit()
        if ready:
            self.service.load_catalogue("personas")
        self._follow_reviews()

    # ------------------------------------------------------------------ voices

    def clone_voice(self, path: str | Path, name: str) -> bool:
        """Upload a recording to the creator's storage and clone a voice from it; False
        (and ``voiceDone``) when it cannot start. The clone is sent once."""
        client = self._client()
        if client is None:
            self.voiceDone.emit(False, NOT_CONNECTED)
            return False
        if self.cloning_voice:
            return False
        self.cloning_voice = True
        self.service.tasks.spawn(self._clone(client, Path(path), name), "clone voice")
        return True

    async def _clone(self, client: CreatifyClient, path: Path, name: str) -> None:
        try:
            ok, said = await self._send_clone(client, path, name)
        finally:
            self.cloning_voice = False
        self.voiceDone.emit(ok, said)

    async def _send_clone(self, client: CreatifyClient, path: Path,
                          name: str) -> tuple[bool, str]:
        book = self.book
        try:
            await inspect_local(path, ("audio",))
            uploader = await self.storage()
            uploaded = await uploader.upload(path, self.voiceProgress.emit, ("audio",))
        except Exception as exc:  # UnsupportedFile, UploadError, no storage: in words
            return False, _words(exc)
        try:
            voice = await client.clone_voice(uploaded.url, name.strip() or None)
        except Exception as exc:
            return False, _words(exc)
        label = str(voice.get("name") or name.strip() or path.stem)
        for accent in voice.get("accents") or ():
            if isinstance(accent, dict) and accent.get("id"):
                book.add_voice(OwnVoice(accent_id=str(accent["id"]), name=label,
                                        file=path.name))
        if book is self.book:
            self.changed.emit()
            self.service.load_catalogue("voices")
        await self._save(book)
        return True, f"“{label}” is ready: choose it in any voice list."

    def delete_voice(self, accent_id: str) -> bool:
        """Delete a cloned voice at Creatify (the user has confirmed); sent once."""
        client = self._client()
        if client is None:
            self.deleteDone.emit(False, NOT_CONNECTED)
            return False
        if accent_id in self.deleting:
            return False
        self.deleting.add(accent_id)
        self.service.tasks.spawn(self._delete(client, accent_id), "delete voice")
        return True

    async def _delete(self, client: CreatifyClient, accent_id: str) -> None:
        try:
            ok, said = await self._send_delete(client, accent_id)
        finally:
            self.deleting.discard(accent_id)
        self.deleteDone.emit(ok, said)

    async def _send_delete(self, client: CreatifyClient, accent_id: str) -> tuple[bool, str]:
        book = self.book
        name = next((v.name for v in book.voices if v.accent_id == accent_id), "The voice")
        try:
            await client.delete_voice(accent_id)
            said = f"“{name}” was deleted."
        except NotFoundError:
            said = f"“{name}” was already gone at Creatify; it is off the list."
        except Exception as exc:
            return False, _words(exc)
        book.forget_voice(accent_id)
        if book is self.book:
            self.changed.emit()
            self.service.load_catalogue("voices")
        await self._save(book)
        return True, said


__all__ = ["AVATAR_TYPES", "NOT_CONNECTED", "POLL_SECONDS", "OwnMediaDesk"]
