"""The API key pair: kept in a secure keyring only, never on disk, never in a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.backends.SecretService
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from app.credentials import (
    ID_ENTRY,
    KEY_ENTRY,
    SERVICE,
    Credentials,
    CredentialStore,
    KeyringUnavailable,
    backend_description,
    credentials_from_env,
    is_secure_backend,
)
from app.logsafe import RedactingFilter, redact
from app.paths import app_paths
from app.settings import Settings, SettingsError, SettingsStore
from tests.samples import XDG_VARS, MemoryKeyring

KEY = "sk-live-4f9c2a7e8b1d6c3f0a5e9d2b7c4a1f8e"
API_ID = "c0ffee00-1234-5678-9abc-def012345678"


class PlaintextKeyring(KeyringBackend):
    """Like keyrings.alt's file keyring: it really would write the key to a file in HOME."""

    priority = 1  # type: ignore[assignment]
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.file = Path.home() / ".local" / "share" / "python_keyring" / "keyring_pass.cfg"
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        if not self.file.exists():
            return None
        data: dict[str, str] = json.loads(self.file.read_text(encoding="utf-8"))
        return data.get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.file.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(self.file.read_text(encoding="utf-8")) if self.file.exists() else {}
        data[f"{service}/{username}"] = password
        self.file.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")


PlaintextKeyring.__module__ = "keyrings.alt.file"


class FakeSecretService(MemoryKeyring):
    """Claims to be keyring's SecretService backend without being it."""


FakeSecretService.__module__ = "keyring.backends.SecretService"
FakeSecretService.__qualname__ = "Keyring"


class FailingKeyring(MemoryKeyring):
    """Raises ``error`` from the operations named in ``failing``."""

    def __init__(self, error: Exception, failing: set[str],
                 fail_on_user: str | None = None) -> None:
        super().__init__()
        self.error = error
        self.failing = failing
        self.fail_on_user = fail_on_user

    def _maybe_fail(self, op: str, username: str) -> None:
        if op in self.failing and self.fail_on_user in (None, username):
            raise self.error

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail("get", username)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail("set", username)
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail("delete", username)
        super().delete_password(service, username)


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def store(memory: MemoryKeyring) -> CredentialStore:
    return CredentialStore(backend=memory, trust_backend=True)


def files_containing(root: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


def chainer_of(monkeypatch: pytest.MonkeyPatch,
               children: list[KeyringBackend]) -> KeyringBackend:
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", children)
    return keyring.backends.chainer.ChainerBackend()


# -- the pair -------------------------------------------------------------------------------


def test_credentials_strip_surrounding_whitespace() -> None:
    creds = Credentials(f"  {API_ID}\n", f"\t{KEY} ")
    assert (creds.api_id, creds.api_key) == (API_ID, KEY)


@pytest.mark.parametrize(("api_id", "api_key", "words"), [
    ("", KEY, "API ID is empty"),
    ("   ", KEY, "API ID is empty"),
    (API_ID, "", "API key is empty"),
    (API_ID, " \n ", "API key is empty"),
    ("abc def", KEY, "API ID must not contain spaces"),
    (API_ID, "sk-live-abc\ndef", "API key must not contain spaces"),
    (API_ID, "sk-live-abc\tdef", "API key must not contain spaces"),
    (API_ID, "sk-live-abc“def”", "characters that cannot be part of it"),
])
def test_credentials_refuse_bad_values(api_id: str, api_key: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as info:
        Credentials(api_id, api_key)
    assert "sk-live-abc" not in str(info.value)


def test_repr_masks_the_key() -> None:
    creds = Credentials(API_ID, KEY)
    text = repr(creds)
    assert KEY not in text
    assert KEY not in str(creds)
    assert KEY not in f"{creds}"
    assert text == f"Credentials(api_id={API_ID!r}, X-API-KEY ****{KEY[-4:]})"
    assert creds.masked_key == "****" + KEY[-4:]


def test_repr_of_a_short_key_shows_nothing_of_it() -> None:
    creds = Credentials("id", "abcdefgh")
    assert "efgh" not in repr(creds)
    assert repr(creds).endswith("X-API-KEY ****)")


def test_the_key_is_registered_for_redaction() -> None:
    key = "sk-live-registered-0123456789"
    Credentials(API_ID, key)
    assert redact(f"header {key}!") == "header ***!"


# -- the environment ------------------------------------------------------------------------


def test_env_credentials_both_set() -> None:
    creds = credentials_from_env({"CREATIFY_API_ID": API_ID, "CREATIFY_API_KEY": f" {KEY} "})
    assert creds == Credentials(API_ID, KEY)


@pytest.mark.parametrize("environ", [
    {},
    {"CREATIFY_API_ID": API_ID},
    {"CREATIFY_API_KEY": KEY},
    {"CREATIFY_API_ID": "", "CREATIFY_API_KEY": KEY},
    {"CREATIFY_API_ID": API_ID, "CREATIFY_API_KEY": "  "},
])
def test_env_credentials_incomplete(environ: dict[str, str]) -> None:
    assert credentials_from_env(environ) is None


def test_env_credentials_malformed() -> None:
    with pytest.raises(ValueError, match="spaces"):
        credentials_from_env({"CREATIFY_API_ID": API_ID, "CREATIFY_API_KEY": "sk a b"})


def test_env_credentials_are_not_stored(store: CredentialStore, memory: MemoryKeyring) -> None:
    credentials_from_env({"CREATIFY_API_ID": API_ID, "CREATIFY_API_KEY": KEY})
    assert memory.entries == {}
    assert store.load() is None


# -- a trusted (test) backend ---------------------------------------------------------------


def test_round_trip(store: CredentialStore, memory: MemoryKeyring) -> None:
    assert store.is_secure()
    assert store.load() is None
    store.save(Credentials(API_ID, KEY))
    assert memory.entries == {(SERVICE, ID_ENTRY): API_ID, (SERVICE, KEY_ENTRY): KEY}
    assert (SERVICE, ID_ENTRY, KEY_ENTRY) == ("Creatify Studio", "X-API-ID", "X-API-KEY")
    assert store.load() == Credentials(API_ID, KEY)
    store.save(Credentials("other-id", "sk-live-other-key-000"))
    assert store.load() == Credentials("other-id", "sk-live-other-key-000")
    store.delete()
    assert memory.entries == {}
    assert store.load() is None
    store.delete()  # nothing there: fine


def test_service_name_is_configurable(memory: MemoryKeyring) -> None:
    CredentialStore("Creatify Studio (test)", memory, trust_backend=True).save(
        Credentials(API_ID, KEY))
    assert ("Creatify Studio (test)", KEY_ENTRY) in memory.entries


@pytest.mark.parametrize("present", [ID_ENTRY, KEY_ENTRY])
def test_half_stored_is_none(store: CredentialStore, memory: MemoryKeyring,
                             present: str) -> None:
    memory.entries[(SERVICE, present)] = API_ID if present == ID_ENTRY else KEY
    assert store.load() is None
    store.delete()  # one missing entry is fine
    assert memory.entries == {}


def test_malformed_stored_pair_is_none(store: CredentialStore, memory: MemoryKeyring) -> None:
    memory.entries[(SERVICE, ID_ENTRY)] = API_ID
    memory.entries[(SERVICE, KEY_ENTRY)] = "sk live with spaces"
    assert store.load() is None


def test_the_test_backend_is_not_secure_without_the_flag(memory: MemoryKeyring) -> None:
    untrusted = CredentialStore(backend=memory)
    assert not untrusted.is_secure()
    with pytest.raises(KeyringUnavailable):
        untrusted.save(Credentials(API_ID, KEY))
    assert memory.entries == {}


# -- which backends are secure --------------------------------------------------------------


def test_real_secure_backends_are_recognised() -> None:
    backend = keyring.backends.SecretService.Keyring()
    assert is_secure_backend(backend)
    assert CredentialStore(backend=backend).is_secure()


def test_a_class_that_only_claims_a_secure_name_is_refused() -> None:
    assert not is_secure_backend(FakeSecretService())


def test_chainer_is_secure_only_when_all_children_are(monkeypatch: pytest.MonkeyPatch) -> None:
    secret_service = keyring.backends.SecretService.Keyring()
    assert is_secure_backend(chainer_of(monkeypatch, [secret_service]))
    assert not is_secure_backend(chainer_of(monkeypatch, [secret_service,
                                                          keyring.backends.fail.Keyring()]))
    assert not is_secure_backend(chainer_of(monkeypatch, [secret_service, PlaintextKeyring()]))
    assert not is_secure_backend(chainer_of(monkeypatch, []))


INSECURE: dict[str, type[KeyringBackend]] = {
    "fail": keyring.backends.fail.Keyring,
    "null": keyring.backends.null.Keyring,
    "keyrings.alt plaintext": PlaintextKeyring,
    "spoofed SecretService": FakeSecretService,
}


@pytest.mark.parametrize("name", list(INSECURE))
def test_insecure_backends_are_refused(name: str, home: Path, tmp_path: Path) -> None:
    backend = INSECURE[name]()
    store = CredentialStore(backend=backend)
    assert store.is_secure() is False
    with pytest.raises(KeyringUnavailable) as info:
        store.save(Credentials(API_ID, KEY))
    message = str(info.value)
    assert "never in a file" in message
    assert "CREATIFY_API_KEY" in message
    assert info.value.fix in message
    assert KEY not in message
    with pytest.raises(KeyringUnavailable):
        store.load()
    store.delete()  # nothing of ours there: a no-op that does not touch the backend
    if isinstance(backend, PlaintextKeyring):
        assert backend.calls == []
        assert not backend.file.exists()
    assert files_containing(tmp_path, KEY) == []
    assert list(home.rglob("*")) == []


def test_chainer_with_an_insecure_child_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                   home: Path) -> None:
    plaintext = PlaintextKeyring()
    chainer = chainer_of(monkeypatch, [keyring.backends.SecretService.Keyring(), plaintext])
    store = CredentialStore(backend=chainer)
    assert store.is_secure() is False
    with pytest.raises(KeyringUnavailable, match="does not keep secrets"):
        store.save(Credentials(API_ID, KEY))
    assert plaintext.calls == []
    assert list(home.rglob("*")) == []


def test_how_to_fix_per_platform() -> None:
    linux = str(KeyringUnavailable("No keyring.", platform="linux"))
    assert linux.startswith("No keyring. ")
    assert "sudo apt install gnome-keyring" in linux
    assert "KWallet" in linux
    assert "desktop session" in linux
    assert "Keychain" in str(KeyringUnavailable("x", platform="darwin"))
    assert "Credential Manager" in str(KeyringUnavailable("x", platform="win32"))


def test_fail_backend_says_no_keyring_was_found() -> None:
    store = CredentialStore(backend=keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailable, match="No system keyring was found"):
        store.load()


# -- a failing backend ----------------------------------------------------------------------


@pytest.mark.parametrize("error", [
    keyring.errors.KeyringError("boom"),
    keyring.errors.KeyringLocked("locked"),
    keyring.errors.InitError("no collection"),
    keyring.errors.NoKeyringError("none"),
    RuntimeError("D-Bus went away"),
])
def test_backend_failing_on_get(error: Exception) -> None:
    store = CredentialStore(backend=FailingKeyring(error, {"get"}), trust_backend=True)
    with pytest.raises(KeyringUnavailable) as info:
        store.load()
    assert info.value.__cause__ is error


def test_backend_failing_on_set() -> None:
    backend = FailingKeyring(keyring.errors.PasswordSetError("denied"), {"set"})
    store = CredentialStore(backend=backend, trust_backend=True)
    with pytest.raises(KeyringUnavailable, match="failed to save"):
        store.save(Credentials(API_ID, KEY))
    assert backend.entries == {}


def test_a_half_written_pair_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = FailingKeyring(keyring.errors.PasswordSetError("denied"), {"set"},
                             fail_on_user=KEY_ENTRY)
    backend.entries = {(SERVICE, ID_ENTRY): "old-id", (SERVICE, KEY_ENTRY): "sk-live-old-key"}
    store = CredentialStore(backend=backend, trust_backend=True)
    with pytest.raises(KeyringUnavailable):
        store.save(Credentials("new-id", KEY))
    assert backend.entries == {}  # never a new ID with the old key


def test_backend_failing_on_delete() -> None:
    backend = FailingKeyring(keyring.errors.KeyringLocked("locked"), {"delete"})
    store = CredentialStore(backend=backend, trust_backend=True)
    with pytest.raises(KeyringUnavailable):
        store.delete()


# -- the active backend ---------------------------------------------------------------------


def test_backend_description_of_the_real_default() -> None:
    name, secure = backend_description()
    assert isinstance(name, str) and name
    assert isinstance(secure, bool)


def test_backend_description(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    assert backend_description() == ("fail Keyring", False)
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.SecretService.Keyring)
    assert backend_description() == ("SecretService Keyring", True)
    chainer = chainer_of(monkeypatch, [keyring.backends.SecretService.Keyring()])
    monkeypatch.setattr(keyring, "get_keyring", lambda: chainer)
    assert backend_description() == ("chainer: SecretService Keyring", True)


def test_default_backend_is_looked_up_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def get_keyring() -> KeyringBackend:
        calls.append(1)
        return keyring.backends.fail.Keyring()

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    store = CredentialStore()
    assert calls == []
    assert store.is_secure() is False
    with pytest.raises(KeyringUnavailable):
        store.load()
    assert calls == [1]


def test_keyring_that_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> KeyringBackend:
        raise keyring.errors.InitError("bad keyringrc")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    assert backend_description()[1] is False
    store = CredentialStore()
    assert store.is_secure() is False
    with pytest.raises(KeyringUnavailable, match="could not be started"):
        store.load()


# -- nothing on disk ------------------------------------------------------------------------


@pytest.fixture
def log_file_handler(tmp_path: Path) -> Iterator[Path]:
    """Log everything to a file under tmp_path, the way the app installs its handlers."""
    path = tmp_path / "data" / "logs" / "creatify-studio.log"
    path.parent.mkdir(parents=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def test_the_key_never_reaches_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        log_file_handler: Path) -> None:
    key = "sk-live-7d3e9a1c5b8f2e6d4a0c9b7e3f1a5d8c"
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in XDG_VARS:
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    log = logging.getLogger("test.credentials")

    paths = app_paths(tmp_path / "data").ensure()
    creds = Credentials(API_ID, key)
    log.info("signed in as %r with %s", creds, creds.api_key)

    memory = MemoryKeyring()
    store = CredentialStore(backend=memory, trust_backend=True)
    store.save(creds)
    assert store.load() == creds
    env = credentials_from_env({"CREATIFY_API_ID": API_ID, "CREATIFY_API_KEY": key})
    log.warning("env credentials: %s / %s", env, key)

    for backend in (keyring.backends.fail.Keyring(), PlaintextKeyring()):
        try:
            CredentialStore(backend=backend).save(creds)
        except KeyringUnavailable:
            log.exception("keyring refused for %s", key)

    settings = SettingsStore(paths.settings_file)
    settings.save(Settings(theme="dark"))
    assert settings.load() == Settings(theme="dark")
    for field in ("window_state", "last_tab", "enterprise_rate", "output_dir"):
        with pytest.raises(SettingsError):
            settings.save(Settings(**{field: key}))
    paths.settings_file.write_text("{broken", encoding="utf-8")
    settings.load()
    store.delete()

    assert log_file_handler.read_text(encoding="utf-8").count("***") >= 3
    assert files_containing(tmp_path, key) == []
    assert files_containing(tmp_path, key[8:]) == []
