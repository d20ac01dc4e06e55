"""Small readers of answer values shared by the endpoint groups."""

from __future__ import annotations

from decimal import Decimal


def decimal_or_none(value: object) -> Decimal | None:
    """A finite ``Decimal`` from a number or a numeric string; ``None`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


__all__ = ["decimal_or_none"]
