"""resolutions: resolutions and their numbering, tasks and their progress, reviews of the previous
resolution, the study of directives, and a member's evidence of the year.

May import: members, meetings, minutes, chibo's helpers.
"""
