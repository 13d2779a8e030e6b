"""notifications: the message rows (one per member, subject and kind), what is due (due.py), delivery with
claim, retry and failure (tasks.py), and the channels a message goes by (channels/: e-mail today).

Used by every app; it uses their models and workflows, never their views.
"""
