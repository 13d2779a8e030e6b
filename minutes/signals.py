"""What the minutes tell the apps built on them (resolutions), so that minutes never imports those apps."""

from django.dispatch import Signal

# New minutes are being started from their meeting's agenda. Arguments: meeting, sections (the unsaved
# `MinutesSection` rows of section II, in order). A receiver may fill a section's text: resolutions write the
# review of the previous resolution into the political-tasks block.
sections_drafted = Signal()
