"""meetings: meetings and their planning (regular schedule, thematic plan), agenda, documents and guidance,
invitations and replies (logged in or from a signed link), attendance and the attendance rate, calendars.

May import: members, notifications' models, chibo's helpers. The apps above learn of a new chair, refuse an
attendance change, and add to a meeting's page through meetings/signals.py.
"""
