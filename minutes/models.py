"""The minutes of a meeting and what they hold: sections, speakers, tasks assigned, votes, revisions, addenda,
and the quality policies that score them (domain §4–§6).

The tables were created when the minutes lived in `meetings/` (and the vote in `resolutions/`): `db_table`
keeps their names. May import: members, meetings.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from members.models import Member, OrgUnit, User

from .quality_sheet import DEFAULT_WEIGHTS, GRADES


class Minutes(models.Model):
    """The minutes (biên bản) of one meeting, kept in the cell's minutes book (domain §5).

    Draft (several editors; `version` refuses a save made from an older version) → approved at the
    meeting → signed by the chair, which locks it. A locked record never changes; corrections are
    addenda. Every change before locking is kept as a revision.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved at the meeting")
        LOCKED = "locked", _("Signed and locked")

    class PdfStatus(models.TextChoices):
        NONE = "", _("Not rendered")
        PENDING = "pending", _("Being rendered")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Rendering failed")

    meeting = models.OneToOneField(Meeting, models.CASCADE, related_name="minutes")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("chair"))  # fmt: skip
    chair_title = models.CharField(_("chair's position"), max_length=100, blank=True)
    minute_taker = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("minute-taker"))  # fmt: skip
    guests = models.TextField(_("guests from higher committees"), blank=True)
    praise_criticism = models.TextField(_("praise, reminders and criticism"), blank=True)
    conclusion = models.TextField(_("the chair's conclusion"), blank=True)
    quality_scores = models.JSONField(_("quality scores"), default=dict, blank=True)
    quality_total = models.DecimalField(_("quality score"), max_digits=5, decimal_places=1, null=True, blank=True)
    quality_grade = models.CharField(_("grade"), max_length=20, blank=True)
    # Everything the minutes say, as it stood when they were signed: names, cell, attendance, votes.
    # The locked minutes are shown and rendered from it, so later renames never rewrite them.
    frozen = models.JSONField(default=dict, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="minutes/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_source = models.CharField(max_length=64, blank=True, help_text="Hash of what the PDF was rendered from.")
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, blank=True, default="")
    # When the PDF was last queued: a render that never came back (a worker killed) is queued again after
    # PDF_RENDER_RETRY_MINUTES instead of leaving the book waiting for ever.
    pdf_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "meetings_minutes"  # kept from when the minutes lived in meetings/
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="minutes_end_after_start",
            ),
        ]

    def __str__(self):
        return str(self.meeting)

    def get_absolute_url(self):
        return reverse("meetings:minutes", args=[self.meeting_id])

    @property
    def is_locked(self):
        return self.status == self.Status.LOCKED

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    @property
    def is_missing_from_book(self):
        """Signed, and its PDF not stored yet: the year's book lacks it (`workflow.missing_from_book`)."""
        return self.is_locked and self.pdf_status != self.PdfStatus.READY


class MinutesSection(models.Model):
    """The content under one heading of section II, following the meeting's agenda."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=300)
    text = models.TextField(_("content"), blank=True)

    class Meta:
        db_table = "meetings_minutessection"  # kept from when the minutes lived in meetings/
        ordering = ["order", "pk"]

    def __str__(self):
        return self.heading


class Contribution(models.Model):
    """A member who spoke in the discussion, and what they said: counted per member over time."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="contributions")
    member = models.ForeignKey(Member, models.PROTECT, related_name="contributions", verbose_name=_("member"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    summary = models.TextField(_("summary"))

    class Meta:
        db_table = "meetings_contribution"  # kept from when the minutes lived in meetings/
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.member}: {self.summary[:40]}"


class MinutesTask(models.Model):
    """A task assigned at the meeting: who, what, by when (section III)."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="tasks")
    member = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("who"))  # fmt: skip
    description = models.CharField(_("what"), max_length=500)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        db_table = "meetings_minutestask"  # kept from when the minutes lived in meetings/
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.description


class MinutesRevision(models.Model):
    """Who changed the minutes, when, and what they were after the change."""

    ACTION_LABELS = {
        "created": _("started"),
        "edited": _("edited"),
        "chair": _("chair changed"),
        "approved": _("approved at the meeting"),
        "reopened": _("reopened"),
        "signed": _("signed and locked"),
        "addendum": _("addendum"),
    }

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20)
    snapshot = models.JSONField(default=dict)
    by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "meetings_minutesrevision"  # kept from when the minutes lived in meetings/
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.minutes} v{self.version} {self.action}"

    @property
    def action_label(self):
        return self.ACTION_LABELS.get(self.action, self.action)


class Addendum(models.Model):
    """A dated, signed correction of locked minutes, shown with the original."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="addenda")
    text = models.TextField(_("correction"))
    signed_by = models.ForeignKey(User, models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "meetings_addendum"  # kept from when the minutes lived in meetings/
        ordering = ["signed_at", "pk"]

    def __str__(self):
        return f"{self.minutes}: {self.signed_at:%d/%m/%Y}"


class QualityPolicy(models.Model):
    """A higher committee's weights and grade bands for meeting quality; cells below inherit it."""

    unit = models.OneToOneField(OrgUnit, models.CASCADE, related_name="quality_policy", verbose_name=_("committee"))
    weights = models.JSONField(
        _("weights"), default=dict, blank=True, help_text=_("Points per criterion; they add up to 100.")
    )
    bands = models.JSONField(_("grade bands"), default=dict, blank=True, help_text=_("Lowest score of each grade."))

    class Meta:
        db_table = "meetings_qualitypolicy"  # kept from when the minutes lived in meetings/
        verbose_name = _("quality policy")
        verbose_name_plural = _("quality policies")

    def __str__(self):
        return str(self.unit)

    def clean(self):
        if self.weights:
            unknown = set(self.weights) - set(DEFAULT_WEIGHTS)
            values = list(self.weights.values())
            if unknown:
                raise ValidationError({"weights": _("Unknown criteria: %(keys)s.") % {"keys": ", ".join(unknown)}})
            if not all(isinstance(v, int | float) and v >= 0 for v in values) or sum(values) != 100:
                raise ValidationError({"weights": _("The weights must be numbers that add up to 100.")})
        if self.bands:
            keys = {key for key, _label in GRADES[:-1]}
            if set(self.bands) - keys or not all(isinstance(v, int | float) for v in self.bands.values()):
                raise ValidationError({"bands": _("Give the lowest score of: %(keys)s.") % {"keys": ", ".join(keys)}})


class Vote(models.Model):
    """A vote at a meeting (section IV of the minutes). Only official members vote (domain §3)."""

    class Method(models.TextChoices):
        HANDS = "hands", _("Show of hands")
        BALLOT = "ballot", _("Secret ballot")

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="votes")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    subject = models.CharField(_("subject"), max_length=300)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.HANDS)
    votes_for = models.PositiveSmallIntegerField(_("for"), validators=[MaxValueValidator(10000)])
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0, validators=[MaxValueValidator(10000)])
    votes_other = models.PositiveSmallIntegerField(_("other opinions"), default=0,
                                                   validators=[MaxValueValidator(10000)])  # fmt: skip
    # The base N and the result, as computed when the vote was recorded.
    base = models.PositiveSmallIntegerField(_("vote base"), default=0)
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        db_table = "resolutions_vote"  # kept from when the vote lived in resolutions/
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["order", "pk"]
        constraints = [
            # Passing: votes for > N/2 (integer division gives the same answer for whole numbers of votes).
            models.CheckConstraint(condition=Q(passed=False) | Q(votes_for__gt=F("base") / 2), name="vote_passed_rule"),
        ]

    def __str__(self):
        return self.subject
