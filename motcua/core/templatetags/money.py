from django import template

from motcua.core.money import format_amount

register = template.Library()


@register.filter
def dong(value: int | None) -> str:
    """{{ amount|dong }} → "100.000 đồng" (the locale's number format does not group thousands)."""
    return format_amount(value or 0)
