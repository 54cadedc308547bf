from django import template

from motcua.core.money import format_amount, group_thousands

register = template.Library()
# {{ amount|thousands }} → "100.000"; the locale's number format does not group thousands.
register.filter("thousands", group_thousands)


@register.filter
def dong(value: int | None) -> str:
    """{{ amount|dong }} → "100.000 đồng"."""
    return format_amount(value or 0)
