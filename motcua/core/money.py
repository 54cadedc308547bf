"""Amounts of money as Vietnamese readers write them."""

from django.utils.translation import gettext as _


def format_amount(value: int | str) -> str:
    """100000 → "100.000 đồng" (Vietnamese groups thousands with dots)."""
    if isinstance(value, str):
        return value
    return f"{value:,}".replace(",", ".") + " " + _("đồng")
