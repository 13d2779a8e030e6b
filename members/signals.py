"""Signals of the members app, for writes that send no model signal."""

from django.dispatch import Signal

# Members written with bulk_create (an import): `cells` are the ids of the cells whose rolls changed.
members_imported = Signal()
