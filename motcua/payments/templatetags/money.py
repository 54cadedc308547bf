from django import template

from motcua.core.money import group_thousands

register = template.Library()
register.filter("thousands", group_thousands)
