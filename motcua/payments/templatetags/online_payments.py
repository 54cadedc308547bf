from django import template

from motcua.core.money import format_amount

register = template.Library()


@register.filter
def amount(value: int) -> str:
    """16000 → "16.000 đồng"."""
    return format_amount(value)
