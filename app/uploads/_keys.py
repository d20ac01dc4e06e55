"""The storage access keys in the system keyring, under their own service name.

Same rules as the Creatify key pair (:mod:`app.credentials`): secure backends only, no file
fallback, a half-written pair removed again, keyring imported on first use (never at start-up).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.credentials import KeyringUnavailable, is_secure_backend
from app.uploads._config import StorageKeys

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "Creatify Studio storage"
ID_ENTRY = "access-key-id"
SECRET_ENTRY = "secret-access-key"


class StorageKeyStore:
    """Load, save and delete :class:`StorageKeys`. ``backend``/``trust_backend`` as in
    :class:`app.credentials.CredentialStore` (``trust_backend`` is for tests only)."""

    def __init__(self, service: str = SERVICE, backend: KeyringBackend | None = None,
                 *, trust_backend: bool = False) -> None:
        self.service = service
        self._backend = backend
        self._trust = trust_backend

    def _secure_backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            try:
                self._backend = keyring.get_keyring()
            except Exception as exc:
                raise KeyringUnavailable(
                    f"The system keyring could not be started ({type(exc).__name__}).") from exc
        if not (self._trust or is_secure_backend(self._backend)):
            raise KeyringUnavailable("No secure system keyring was found for the storage "
                                     "access keys.")
        return self._backend

    def load(self) -> StorageKeys | None:
        """The stored keys; None when nothing (or half a pair, or a malformed pair) is stored."""
        backend = self._secure_backend()
        try:
            key_id = backend.get_password(self.service, ID_ENTRY)
            secret = backend.get_password(self.service, SECRET_ENTRY)
        except Exception as exc:
            raise KeyringUnavailable(f"The system keyring failed to read the storage keys "
                                     f"({type(exc).__name__}).") from exc
        if not key_id or not secret:
            return None
        try:
            return StorageKeys(key_id, secret)
        except ValueError as exc:
            log.warning("The storage keys in the keyring are malformed (%s); ignoring them", exc)
            return None

    def save(self, keys: StorageKeys) -> None:
        """Store both; on any failure neither is left behind."""
        backend = self._secure_backend()
        try:
            backend.set_password(self.service, ID_ENTRY, keys.access_key_id)
            backend.set_password(self.service, SECRET_ENTRY, keys.secret_access_key)
        except Exception as exc:
            self._remove(backend)
            raise KeyringUnavailable(f"The system keyring failed to save the storage keys "
                                     f"({type(exc).__name__}).") from exc

    def delete(self) -> None:
        """Remove both entries (missing ones are fine)."""
        self._remove(self._secure_backend())

    def _remove(self, backend: KeyringBackend) -> None:
        for entry in (ID_ENTRY, SECRET_ENTRY):
            try:
                backend.delete_password(self.service, entry)
            except Exception as exc:  # PasswordDeleteError when absent; best effort otherwise
                log.debug("Could not remove %s: %s", entry, type(exc).__name__)
