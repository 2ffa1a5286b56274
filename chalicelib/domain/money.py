"""Amounts in a currency's minor unit, as payment providers count them (Stripe's "smallest unit").

Most currencies have cents (2 decimals); Stripe's zero-decimal currencies have none (1000 JPY is
1000) and its three-decimal ones have three (KWD 1.250 is 1250, sent as multiples of 10).
"""

from decimal import Decimal

ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def decimals(currency: str) -> int:
    """How many decimals an amount in ``currency`` may have."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``Decimal("12.50")`` EUR -> 1250; an amount with more decimals than the currency has is a bug."""
    scaled = amount.scaleb(decimals(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency.upper()} allows")
    return int(scaled)


def from_minor_units(units: int, currency: str) -> Decimal:
    """1250 EUR -> ``Decimal("12.50")``; 1000 JPY -> ``Decimal("1000")``."""
    places = decimals(currency)
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def display(units: int, currency: str) -> str:
    """``"12.50 EUR"``: for people, in a plain form every locale reads."""
    return f"{from_minor_units(units, currency)} {currency.upper()}"


def fits_currency(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` has no more decimals than ``currency`` has (JPY 1500, not 1500.50)."""
    return amount == amount.quantize(Decimal(1).scaleb(-decimals(currency)))


def currency_decimals_message(currency: str) -> str:
    places = decimals(currency)
    if places == 0:
        return f"{currency.upper()} amounts are whole numbers (no decimals)."
    return f"{currency.upper()} amounts have {places} decimals at most."
