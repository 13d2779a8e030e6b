from django import template

from dues.services import money

register = template.Library()


@register.filter
def vnd(amount):
    """12.345 (đồng), the Vietnamese way."""
    return money(int(amount or 0))
