"""members: the organisation tree (committees and cells), the members and their status history, roles and
grants, the one access module every queryset is scoped through (access.py), accounts and logins, and the
import of a cell's roll.

The lowest app: it may import chibo's helpers only. What its pages show of the apps above (warnings,
evidence) they give through members/signals.py.
"""
