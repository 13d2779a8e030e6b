"""Links in long tables: `{% pk_url "members:detail" member.pk %}` writes what `{% url "members:detail"
member.pk %}` writes, for the addresses whose only argument is a primary key, from an address reversed once
per process: reversing costs more than the rest of a table row (about 80 µs, and a member list has dozens)."""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

PLACEHOLDER = 987654321


@functools.lru_cache(maxsize=256)
def _address(name, prefix, urlconf):
    return reverse(name, args=[PLACEHOLDER]).replace(str(PLACEHOLDER), "{pk}")


@register.simple_tag
def pk_url(name, pk):
    return _address(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF).format(pk=int(pk))
