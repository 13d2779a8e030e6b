"""minutes: the minutes of a meeting and their sections, speakers and tasks; votes and the vote base
(votes.py); the quality score and the committees' policies; approval → signature → addenda; the PDF, the
Word file and the minutes book.

May import: members, meetings, chibo's helpers. Resolutions fill the review of the previous resolution
into new minutes through minutes/signals.py.
"""
