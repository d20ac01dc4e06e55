"""The one error the ledger raises."""

from __future__ import annotations


class LedgerError(Exception):
    """The ledger cannot do what was asked: damaged or foreign file, newer schema, a secret in
    a request body, an impossible state change, a locked or unwritable file."""
