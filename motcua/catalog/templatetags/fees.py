from django import template

from motcua.catalog.fees import fee_rule_text
from motcua.catalog.models import Fee

register = template.Library()


@register.filter
def fee_rule(fee: Fee) -> str:
    """A fee's rule in words: per copy, online rate, exemptions (catalog/fees.py)."""
    return fee_rule_text(fee)
