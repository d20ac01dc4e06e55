"""The API address rule, the key check against a simulator, the password store's plain name
and the one-process steps of the keyring round trip (the real Secret Service round trip is
tests/system/test_secret_service.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal

import keyring.backends.fail
import keyring.backends.SecretService
import pytest

from app.api.client import DEFAULT_BASE_URL, InsecureBaseURLError
from app.credentials import (
    PROBE_SERVICE,
    Credentials,
    CredentialStore,
    Verdict,
    api_base_url,
    check_credentials,
    plain_store_name,
    run_step,
)
from app.sandbox import Sandbox
from tests.samples import MemoryKeyring

API_ID = "ws_check_1"
API_KEY = "sk-live-check-0123456789abcdef0123"


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    with Sandbox(api_id=API_ID, api_key=API_KEY, balance=1234) as server:
        yield server


def test_the_address_is_the_environment_then_the_setting_then_creatify() -> None:
    env = {"CREATIFY_API_BASE_URL": "http://127.0.0.1:8123"}
    assert api_base_url("https://proxy.example.com", env) == "http://127.0.0.1:8123"
    assert api_base_url("https://proxy.example.com", {}) == "https://proxy.example.com"
    assert api_base_url(" ", {"CREATIFY_API_BASE_URL": "  "}) == DEFAULT_BASE_URL
    with pytest.raises(InsecureBaseURLError):
        api_base_url("", {"CREATIFY_API_BASE_URL": "http://api.example.com"})


async def test_an_accepted_key_reports_the_balance(live: Sandbox) -> None:
    check = await check_credentials(Credentials(API_ID, API_KEY), live.base_url)
    assert check.verdict is Verdict.ACCEPTED and check.accepted
    assert check.credits == Decimal(1234) and "1,234 credits remaining" in check.message


async def test_a_refused_key_gives_one_sentence_with_the_status(live: Sandbox) -> None:
    check = await check_credentials(Credentials(API_ID, "sk-live-wrong-00000000"),
                                    live.base_url)
    assert check.verdict is Verdict.REFUSED and not check.accepted
    assert check.message == ("Creatify refused this API ID and key (403: Invalid API key). "
                             "Check them on your API dashboard.")
    assert "sk-live-wrong" not in check.message


async def test_an_unreachable_address_is_unchecked_not_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check = await check_credentials(Credentials(API_ID, API_KEY), f"http://127.0.0.1:{port}")
    assert check.verdict is Verdict.UNCHECKED
    assert f"could not be reached at 127.0.0.1:{port}" in check.message


def test_plain_names_of_the_password_stores() -> None:
    assert plain_store_name(keyring.backends.SecretService.Keyring()) == "GNOME Keyring"  # type: ignore[no-untyped-call]
    assert plain_store_name(keyring.backends.fail.Keyring()) is None
    assert plain_store_name(MemoryKeyring()) is None
    store = CredentialStore(backend=keyring.backends.SecretService.Keyring())  # type: ignore[no-untyped-call]
    assert store.store_name() == "GNOME Keyring"
    assert CredentialStore(backend=keyring.backends.fail.Keyring()).store_name() is None


def test_the_round_trip_steps_in_one_process() -> None:
    memory = MemoryKeyring()
    store = CredentialStore(PROBE_SERVICE, backend=memory, trust_backend=True)
    assert not run_step("load", store)["ok"]  # nothing saved yet
    assert [run_step(step, store)["ok"] for step in ("save", "load", "delete", "gone")] \
        == [True, True, True, True]
    assert memory.entries == {}
    refused = run_step("save", CredentialStore(PROBE_SERVICE,
                                               backend=keyring.backends.fail.Keyring()))
    assert not refused["ok"] and "No system keyring" in refused["detail"]
    assert not run_step("bogus", store)["ok"]
