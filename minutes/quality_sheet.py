"""The quality scoring sheet (domain §4): criteria, default weights, grades and their bands.

Constants only, so that the models (a committee's `QualityPolicy` checks its weights against them) and the
scoring in `quality.py` both read them without importing each other."""

from django.utils.translation import gettext_lazy as _

# key, label, computed by Chibo?, default points (the HD-42 scoring sheet; "conduct" split so that the
# share of members who spoke is counted, not guessed).
CRITERIA = [
    ("duration", _("Duration"), True, 5),
    ("attendance", _("Attendance"), True, 5),
    ("preparation", _("Preparation: the committee met first, documents on time"), True, 10),
    ("participation", _("Members who spoke"), True, 10),
    ("conduct", _("Conduct: on time, in order, praise and criticism, complete minutes"), False, 20),
    ("chairing", _("Chairing"), False, 10),
    ("principles", _("Organisational principles respected"), False, 5),
    ("results", _("Results of the previous conclusion or resolution"), False, 30),
    ("closing", _("Closing: conclusion, tasks and vote"), False, 5),
]
COMPUTED = [key for key, _label, computed, _points in CRITERIA if computed]
ENTERED = [key for key, _label, computed, _points in CRITERIA if not computed]
DEFAULT_WEIGHTS = {key: points for key, _label, _computed, points in CRITERIA}
GRADES = [("good", _("Good")), ("fair", _("Fair")), ("average", _("Average")), ("poor", _("Poor"))]
DEFAULT_BANDS = {"good": 90, "fair": 70, "average": 50}
