"""The Creatify API key pair, kept in the operating system's keyring — secure backends only.

The pair is stored as two entries under :data:`SERVICE`: usernames ``X-API-ID`` and
``X-API-KEY`` (the names of the HTTP headers they go into).

Only keyrings that keep secrets in the system's protected store are used
(:func:`is_secure_backend`): the Secret Service (GNOME Keyring, KeePassXC…) through
``SecretService`` or ``libsecret``, KWallet, the macOS Keychain and the Windows Credential
Manager, or keyring's chainer when every backend it chains is one of those. Anything else —
keyring's ``fail`` and ``null`` backends, the plaintext and "encrypted" files of
``keyrings.alt`` — is refused with :class:`KeyringUnavailable`, whose message tells the user
how to get a real keyring. There is no fallback: without a keyring the key lives in memory for
one run (typed in, or from ``CREATIFY_API_ID``/``CREATIFY_API_KEY``, see
:func:`credentials_from_env`).

``libsecret`` is accepted although the first list of secure backends did not name it: it is the
same Secret Service as ``SecretService``, and where both are importable (python3-gi present)
keyring chains the two, so refusing it would refuse the user's real GNOME keyring.

Tests use an in-memory backend with ``CredentialStore(backend=..., trust_backend=True)``;
``trust_backend`` exists for tests only and the app never sets it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.logsafe import register_secret
from app.platform import secure_keyring_classes

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "Creatify Studio"
ID_ENTRY = "X-API-ID"
KEY_ENTRY = "X-API-KEY"
ENV_API_ID = "CREATIFY_API_ID"
ENV_API_KEY = "CREATIFY_API_KEY"

_CHAINER = ("keyring.backends.chainer", "ChainerBackend")

# -- the key pair ---------------------------------------------------------------------------


def _clean(value: object, label: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"The {label} must be text.")
    text = value.strip()
    if not text:
        raise ValueError(f"The {label} is empty: paste it from your Creatify account "
                         "(Settings → API).")
    if any(ch.isspace() for ch in text):
        raise ValueError(f"The {label} must not contain spaces or line breaks: check that it "
                         "was copied whole and alone.")
    if not (text.isascii() and text.isprintable()):
        raise ValueError(f"The {label} contains characters that cannot be part of it: copy "
                         "it again from your Creatify account.")
    return text


@dataclass(frozen=True)
class Credentials:
    """The ``X-API-ID`` / ``X-API-KEY`` pair.

    Surrounding whitespace is stripped; empty values, whitespace inside and non-ASCII
    characters raise ``ValueError`` (the message never contains the value). The key is
    registered with :func:`app.logsafe.register_secret` so it is masked in every log line, and
    ``repr`` shows at most its last four characters.
    """

    api_id: str
    api_key: str = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_id", _clean(self.api_id, "API ID"))
        object.__setattr__(self, "api_key", _clean(self.api_key, "API key"))
        register_secret(self.api_key)

    def __repr__(self) -> str:
        return f"Credentials(api_id={self.api_id!r}, {KEY_ENTRY} {self.masked_key})"

    __str__ = __repr__

    @property
    def masked_key(self) -> str:
        """``****`` plus the key's last four characters (only ``****`` for short keys)."""
        return "****" + (self.api_key[-4:] if len(self.api_key) >= 12 else "")


def credentials_from_env(environ: Mapping[str, str]) -> Credentials | None:
    """Credentials from ``CREATIFY_API_ID`` and ``CREATIFY_API_KEY``, for this run only.

    None unless both are set and non-blank. Malformed values raise ``ValueError`` (see
    :class:`Credentials`). These are never written to the keyring by this function.
    """
    api_id = environ.get(ENV_API_ID, "").strip()
    api_key = environ.get(ENV_API_KEY, "").strip()
    if not api_id or not api_key:
        return None
    return Credentials(api_id, api_key)


# -- backends -------------------------------------------------------------------------------


def _class_id(backend: object) -> tuple[str, str] | None:
    """The backend's (module, class name), only if that really is the class of that name in
    that module (a class that merely claims a keyring module does not count)."""
    cls = type(backend)
    module = sys.modules.get(cls.__module__)
    if module is None or getattr(module, cls.__qualname__, None) is not cls:
        return None
    return cls.__module__, cls.__qualname__


def _chained(backend: KeyringBackend) -> list[KeyringBackend]:
    children = getattr(backend, "backends", None)
    return list(children) if children is not None else []


def is_secure_backend(backend: KeyringBackend, platform: str | None = None) -> bool:
    """Whether the backend keeps secrets in the system's protected store on ``platform``
    (default: this one; the accepted backends per platform are
    :func:`app.platform.secure_keyring_classes`).

    Exact classes only (a subclass may store anywhere). A chainer counts when it chains at
    least one backend and all of them are secure.
    """
    secure = secure_keyring_classes(platform)
    ident = _class_id(backend)
    if ident == _CHAINER:
        children = _chained(backend)
        return bool(children) and all(_class_id(child) in secure for child in children)
    return ident in secure


def _backend_name(backend: KeyringBackend) -> str:
    if _class_id(backend) == _CHAINER:
        children = _chained(backend)
        if not children:
            return "chainer (no keyring)"
        return "chainer: " + ", ".join(_backend_name(child) for child in children)
    name = getattr(type(backend), "name", None)
    return name if isinstance(name, str) else f"{type(backend).__module__}.{type(backend).__name__}"


def backend_description() -> tuple[str, bool]:
    """The active keyring backend's display name and whether Creatify Studio accepts it,
    e.g. ``("SecretService Keyring", True)`` or ``("fail Keyring", False)``."""
    import keyring  # (keyring is loaded when first used, not at start-up)

    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        return f"none (the keyring failed to start: {type(exc).__name__})", False
    return _backend_name(backend), is_secure_backend(backend)


_PLAIN_NAMES: dict[tuple[str, str], str] = {
    ("keyring.backends.SecretService", "Keyring"): "GNOME Keyring",
    ("keyring.backends.libsecret", "Keyring"): "GNOME Keyring",
    ("keyring.backends.kwallet", "DBusKeyring"): "KWallet",
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"): "KWallet",
    ("keyring.backends.macOS", "Keyring"): "macOS Keychain",
    ("keyring.backends.Windows", "WinVaultKeyring"): "Windows Credential Manager",
}


def plain_store_name(backend: KeyringBackend) -> str | None:
    """What a creator calls the password store behind ``backend`` ("GNOME Keyring", "macOS
    Keychain", "Windows Credential Manager", "KWallet"; the Secret Service is named after
    GNOME Keyring, its usual provider), or None for a backend that is not one of those."""
    if _class_id(backend) == _CHAINER:
        names = [plain_store_name(child) for child in _chained(backend)]
        known = [name for name in names if name is not None]
        if not known or len(known) != len(names):
            return None
        return " / ".join(dict.fromkeys(known))
    ident = _class_id(backend)
    return _PLAIN_NAMES.get(ident) if ident is not None else None


def _how_to_fix(platform: str) -> str:
    if platform == "darwin":
        return ("On macOS the login Keychain should be available: open Keychain Access and "
                "check that the login keychain exists and is unlocked, then try again.")
    if platform.startswith("win"):
        return ("On Windows the Credential Manager should be available: check that you are "
                "signed in to a normal (not a temporary) user profile, then try again.")
    return ("On Linux, install a password store — GNOME Keyring (run \"sudo apt install "
            "gnome-keyring\", then log out and in again) or KWallet — and start Creatify "
            "Studio from your desktop session. If the Python package keyrings.alt is "
            "installed, remove it: it keeps passwords in plain files.")


class KeyringUnavailable(Exception):
    """No secure keyring can be used. The message explains why and how to fix it.

    ``reason`` is the first part, ``fix`` the platform's how-to.
    """

    def __init__(self, reason: str, *, platform: str | None = None) -> None:
        self.reason = reason
        self.fix = _how_to_fix(platform or sys.platform)
        super().__init__(
            f"{reason} Creatify Studio keeps your API key only in the system keyring and "
            f"never in a file. {self.fix} Until then you can enter the key for this session "
            f"only, or set {ENV_API_ID} and {ENV_API_KEY} in the environment.")


class CredentialStore:
    """The key pair in the system keyring.

    ``backend`` None means keyring's active backend (``keyring.get_keyring()``), looked up on
    first use. ``trust_backend=True`` accepts any backend as secure: **for tests only** (an
    in-memory backend), never used by the app.
    """

    def __init__(self, service: str = SERVICE, backend: KeyringBackend | None = None,
                 *, trust_backend: bool = False) -> None:
        self.service = service
        self._backend = backend
        self._trust = trust_backend

    def _get_backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            try:
                self._backend = keyring.get_keyring()
            except Exception as exc:
                raise KeyringUnavailable(
                    f"The system keyring could not be started ({type(exc).__name__}).") from exc
        return self._backend

    def store_name(self) -> str | None:
        """The plain name of the secure password store in use (see :func:`plain_store_name`),
        None when there is none (or a test's trusted stand-in)."""
        try:
            backend = self._get_backend()
        except KeyringUnavailable:
            return None
        return plain_store_name(backend) if is_secure_backend(backend) else None

    def is_secure(self) -> bool:
        """Whether the backend may hold the key (see :func:`is_secure_backend`)."""
        try:
            backend = self._get_backend()
        except KeyringUnavailable:
            return False
        return self._trust or is_secure_backend(backend)

    def _secure_backend(self) -> KeyringBackend:
        backend = self._get_backend()
        if self._trust or is_secure_backend(backend):
            return backend
        name = _backend_name(backend)
        if _class_id(backend) in {("keyring.backends.fail", "Keyring"), ("keyring.backends.null",
                                                                          "Keyring")}:
            reason = f"No system keyring was found (keyring backend: {name})."
        elif _class_id(backend) == _CHAINER and not _chained(backend):
            reason = "No system keyring was found."
        else:
            reason = (f"The active keyring ({name}) does not keep secrets in the system's "
                      "protected store, so it is not used.")
        raise KeyringUnavailable(reason)

    @staticmethod
    def _call[T](action: str, fn: Callable[[], T]) -> T:
        """Run one backend call; any failure becomes :class:`KeyringUnavailable`."""
        import keyring.errors

        try:
            return fn()
        except keyring.errors.KeyringLocked as exc:
            raise KeyringUnavailable(f"The system keyring is locked and could not be "
                                     f"unlocked to {action}.") from exc
        except Exception as exc:  # KeyringError, InitError, NoKeyringError, D-Bus failures…
            log.warning("Keyring failure while trying to %s: %s", action, type(exc).__name__)
            raise KeyringUnavailable(f"The system keyring failed to {action} "
                                     f"({type(exc).__name__}).") from exc

    def load(self) -> Credentials | None:
        """The stored pair; None when nothing (or only half of it) is stored.

        Raises :class:`KeyringUnavailable` when the backend is not secure or fails.
        """
        backend = self._secure_backend()
        api_id = self._call("read the API ID",
                            lambda: backend.get_password(self.service, ID_ENTRY))
        api_key = self._call("read the API key",
                             lambda: backend.get_password(self.service, KEY_ENTRY))
        if not api_id or not api_key:
            if api_id or api_key:
                log.warning("Only half of the API key pair is in the keyring; ignoring it")
            return None
        try:
            return Credentials(api_id, api_key)
        except ValueError as exc:
            log.warning("The API key pair in the keyring is malformed (%s); ignoring it", exc)
            return None

    def save(self, creds: Credentials) -> None:
        """Store the pair. Raises :class:`KeyringUnavailable` unless the backend is secure and
        both writes succeed (a half-written pair is removed again); never writes elsewhere."""
        backend = self._secure_backend()
        try:
            self._call("save the API ID",
                       lambda: backend.set_password(self.service, ID_ENTRY, creds.api_id))
            self._call("save the API key",
                       lambda: backend.set_password(self.service, KEY_ENTRY, creds.api_key))
        except KeyringUnavailable:
            # Never leave a mismatched pair (a new ID with an old key) behind.
            for entry in (ID_ENTRY, KEY_ENTRY):
                try:
                    backend.delete_password(self.service, entry)
                except Exception as cleanup:  # best effort; the original error matters
                    log.debug("Could not remove %s after a failed save: %s", entry,
                              type(cleanup).__name__)
            raise

    def delete(self) -> None:
        """Remove both entries; missing ones are fine.

        With a backend that is not secure there is nothing of ours to remove (we never write
        there) and it is not touched. Other failures raise :class:`KeyringUnavailable`.
        """
        if not self.is_secure():
            return
        import keyring.errors

        backend = self._get_backend()
        for entry in (ID_ENTRY, KEY_ENTRY):
            try:
                backend.delete_password(self.service, entry)
            except keyring.errors.PasswordDeleteError:
                pass  # not there
            except Exception as exc:
                raise KeyringUnavailable(f"The system keyring failed to remove the {entry} "
                                         f"entry ({type(exc).__name__}).") from exc

