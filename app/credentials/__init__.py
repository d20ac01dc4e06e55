"""The Creatify API key pair: kept in the system's password store (secure backends only),
checked against the address the app talks to.

``_store`` keeps the pair in the keyring; ``_check`` decides the API address and asks Creatify
whether it takes the pair; ``_selfcheck`` is the password store round trip the installation
checks run (save, load in a new process, remove). Each name is loaded when first used
(PEP 562): the password store without the key check, the key check without the store's
round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import lazy_names

if TYPE_CHECKING:
    from app.credentials._check import (
        CHECK_TIMEOUT,
        DASHBOARD_API_URL,
        ENV_BASE_URL,
        KeyCheck,
        Verdict,
        api_base_url,
        check_credentials,
    )
    from app.credentials._selfcheck import PROBE_SERVICE, round_trip, run_step
    from app.credentials._store import (
        ENV_API_ID,
        ENV_API_KEY,
        ID_ENTRY,
        KEY_ENTRY,
        SERVICE,
        Credentials,
        CredentialStore,
        KeyringUnavailable,
        backend_description,
        credentials_from_env,
        is_secure_backend,
        plain_store_name,
    )

_LAZY = {
    "CHECK_TIMEOUT": "_check",
    "DASHBOARD_API_URL": "_check",
    "ENV_BASE_URL": "_check",
    "KeyCheck": "_check",
    "Verdict": "_check",
    "api_base_url": "_check",
    "check_credentials": "_check",
    "PROBE_SERVICE": "_selfcheck",
    "round_trip": "_selfcheck",
    "run_step": "_selfcheck",
    "ENV_API_ID": "_store",
    "ENV_API_KEY": "_store",
    "ID_ENTRY": "_store",
    "KEY_ENTRY": "_store",
    "SERVICE": "_store",
    "Credentials": "_store",
    "CredentialStore": "_store",
    "KeyringUnavailable": "_store",
    "backend_description": "_store",
    "credentials_from_env": "_store",
    "is_secure_backend": "_store",
    "plain_store_name": "_store",
}
"""Each name's module."""

__all__ = [
    "CHECK_TIMEOUT",
    "DASHBOARD_API_URL",
    "ENV_API_ID",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ID_ENTRY",
    "KEY_ENTRY",
    "PROBE_SERVICE",
    "SERVICE",
    "CredentialStore",
    "Credentials",
    "KeyCheck",
    "KeyringUnavailable",
    "Verdict",
    "api_base_url",
    "backend_description",
    "check_credentials",
    "credentials_from_env",
    "is_secure_backend",
    "plain_store_name",
    "round_trip",
    "run_step",
]


__getattr__ = lazy_names(globals(), 'app.credentials', _LAZY)
