"""The Creatify API key pair: kept in the system's password store (secure backends only),
checked against the address the app talks to.

``_store`` keeps the pair in the keyring; ``_check`` decides the API address and asks Creatify
whether it takes the pair; ``_selfcheck`` is the password store round trip the installation
checks run (save, load in a new process, remove).
"""

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
