"""How credits and dollars are written, everywhere in the app (one formatter of each).

``credit_figure(Decimal("1234.50"))`` → ``"1,234.5"``; ``credits_text(Decimal(1))`` →
``"1 credit"``; ``dollars_text(Decimal("6.2"))`` → ``"$6.20"``.
"""

from __future__ import annotations

from decimal import Decimal


def credit_figure(value: Decimal, *, places: int | None = None) -> str:
    """A credit amount without exponent or trailing zeros, thousands separated; ``places``
    rounds (half-up as Decimal's context) to at most that many decimals first."""
    if places is not None and value != value.to_integral():
        value = value.quantize(Decimal(1).scaleb(-places))
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def credits_text(value: Decimal) -> str:
    """``"1 credit"``, ``"12.5 credits"``, ``"1,200 credits"``."""
    return f"{credit_figure(value)} credit" + ("" if value == 1 else "s")


def dollars_text(value: Decimal) -> str:
    """``"$1,234.50"``: dollars to the cent."""
    return f"${value:,.2f}"


__all__ = ["credit_figure", "credits_text", "dollars_text"]
