"""Meetings and what hangs on them: schedule rules, thematic topics, agenda, documents, guidance,
invitations, attendance (with the attendance rate, domain §3), the change history and calendar feeds."""

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Member, OrgUnit, User


def short_name(filename, limit=100):
    """The file name cut to `limit` bytes (Vietnamese letters take 2–3), keeping its extension."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    stem = stem.encode()[:limit].decode(errors="ignore") or "file"
    return f"{stem}.{extension[:10]}" if extension else stem


def document_path(document, filename):
    return f"meetings/{document.meeting_id}/{secrets.token_hex(8)}/{short_name(filename)}"


def guidance_path(guidance, filename):
    return f"guidance/{timezone.now():%Y}/{secrets.token_hex(8)}/{short_name(filename)}"


def topic_path(topic, filename):
    return f"topics/{timezone.now():%Y}/{secrets.token_hex(8)}/{short_name(filename)}"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, access):
        """The meetings `access` (a user's `members.access.for_user(user)`) lets them see."""
        return access.meetings(self)

    def regular(self):
        return self.filter(kind=Meeting.Kind.REGULAR)

    def not_cancelled(self):
        return self.exclude(status=Meeting.Status.CANCELLED)

    def in_month(self, year, month):
        start, end = month_bounds(year, month)
        return self.filter(starts_at__gte=start, starts_at__lt=end)


def month_bounds(year, month):
    """The first instant of the month and of the next, in the local time zone."""
    return (
        timezone.make_aware(datetime(year, month, 1)),
        timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1)),
    )


class Meeting(models.Model):
    """One meeting of one cell: regular (monthly), thematic, the committee's preparatory, extraordinary."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular meeting")
        THEMATIC = "thematic", _("Thematic meeting")
        COMMITTEE = "committee", _("Cell committee meeting")
        EXTRAORDINARY = "extraordinary", _("Extraordinary meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        POSTPONED = "postponed", _("Postponed")

    # Indexed by `meeting_cell_start`, which starts with the cell.
    cell = models.ForeignKey(OrgUnit, models.PROTECT, related_name="meetings", verbose_name=_("cell"), db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("expected duration (minutes)"), default=90)
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("chair"))
    minute_taker = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("minute-taker")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    prepares = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="preparations",
        verbose_name=_("prepares the meeting"),
    )
    topic = models.ForeignKey(
        "ThematicTopic", models.SET_NULL, null=True, blank=True, related_name="meetings", verbose_name=_("topic")
    )
    invited_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["cell", "starts_at"], name="meeting_cell_start")]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="meeting_duration_at_least_15"),
        ]

    def __str__(self):
        return self.display_title

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])

    @property
    def display_title(self):
        if self.title:
            return self.title
        local = timezone.localtime(self.starts_at)
        return _("%(kind)s, %(month)02d/%(year)s") % {
            "kind": self.get_kind_display(),
            "month": local.month,
            "year": local.year,
        }

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self):
        """Still ahead or under way, and not called off: invitations and replies make sense."""
        return self.status in (self.Status.PLANNED, self.Status.CONFIRMED) and timezone.now() < self.ends_at

    @property
    def expects_members(self):
        """A committee meeting convenes the committee; every other kind the whole cell."""
        return self.kind != self.Kind.COMMITTEE

    def attendance_counts(self):
        """Counts and rate by the domain rule (§3); see `attendance_summary`."""
        return attendance_summary(list(self.attendances.all()))

    @property
    def documents_due_at(self):
        """Documents are available at least DOCUMENTS_DAYS_BEFORE days before the meeting (domain §2)."""
        return self.starts_at - timedelta(days=settings.DOCUMENTS_DAYS_BEFORE)

    def late_documents(self, documents):
        """Those of `documents` (this meeting's) put up after `documents_due_at`."""
        due = self.documents_due_at
        return [document for document in documents if document.uploaded_at > due]

    @property
    def final_documents_due_on(self):
        """The final documents (the signed minutes) are due MINUTES_FINAL_DAYS days after the meeting (§2)."""
        return timezone.localtime(self.ends_at).date() + timedelta(days=settings.MINUTES_FINAL_DAYS)

    def held_with(self):
        """The meeting of the other kind held by the cell the same day, regular with thematic (see
        `held_together`), or None."""
        return held_together(self.cell_id, self.kind, self.starts_at, exclude=self.pk)

    @staticmethod
    def min_minutes(together):
        """The shortest a meeting may last: alone, or together with the one of the other kind that day."""
        return settings.MEETING_MIN_MINUTES_COMBINED if together else settings.MEETING_MIN_MINUTES


def held_together(cell_id, kind, starts_at, exclude=None):
    """A regular and a thematic meeting of a cell on the same day run one after the other, and last
    MEETING_MIN_MINUTES_COMBINED together (domain §2): the meeting of the other kind that day, or None."""
    query = held_together_sql(cell_id, kind, starts_at, exclude)
    if query is None:
        return None
    sql, params = query
    return next(iter(Meeting.objects.raw(f"SELECT * FROM {Meeting._meta.db_table} WHERE id = ({sql})", params)), None)


def held_together_sql(cell_id, kind, starts_at, exclude=None):
    """(SQL, parameters) of the query giving the id of the meeting `held_together` finds, or None when a meeting
    of this kind is never held together with another: the one place of the rule, also a subquery of the
    minutes' quality (`minutes.quality.draft_facts`). Written out as SQL: Django took longer to build and
    compile it than the database to run it (issue 17). Portable: PostgreSQL, and SQLite for `make run`."""
    others = {Meeting.Kind.REGULAR: Meeting.Kind.THEMATIC, Meeting.Kind.THEMATIC: Meeting.Kind.REGULAR}
    if kind not in others or not cell_id or not starts_at:
        return None
    day = timezone.localtime(starts_at).date()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    sql = (
        f"SELECT o.id FROM {Meeting._meta.db_table} o"
        " WHERE o.cell_id = %s AND o.kind = %s AND o.starts_at >= %s AND o.starts_at < %s AND o.status <> %s"
    )
    params = [cell_id, others[kind], start, start + timedelta(days=1), Meeting.Status.CANCELLED]
    if exclude is not None:  # a meeting not saved yet has no id to leave out (and `<> NULL` would match nothing)
        sql += " AND o.id <> %s"
        params.append(exclude)
    return f"{sql} ORDER BY o.starts_at, o.id LIMIT 1", params


class ScheduleRule(models.Model):
    """When a cell holds its regular meeting: "day 3 of every month, 19:30" or "first Monday"."""

    class Mode(models.TextChoices):
        DAY_OF_MONTH = "day", _("A day of the month")
        WEEKDAY = "weekday", _("A weekday of the month")

    class Weekend(models.TextChoices):
        KEEP = "keep", _("Keep the day")
        BEFORE = "before", _("Move to the Friday before")
        AFTER = "after", _("Move to the Monday after")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Nth(models.IntegerChoices):
        FIRST = 1, pgettext_lazy("week of the month", "First")
        SECOND = 2, pgettext_lazy("week of the month", "Second")
        THIRD = 3, pgettext_lazy("week of the month", "Third")
        FOURTH = 4, pgettext_lazy("week of the month", "Fourth")
        LAST = -1, pgettext_lazy("week of the month", "Last")

    cell = models.OneToOneField(OrgUnit, models.CASCADE, related_name="schedule_rule", verbose_name=_("cell"))
    mode = models.CharField(_("rule"), max_length=10, choices=Mode.choices, default=Mode.DAY_OF_MONTH)
    day = models.PositiveSmallIntegerField(
        _("day of the month"), default=3, help_text=_("In short months the last day is used.")
    )
    nth = models.SmallIntegerField(_("which week"), choices=Nth.choices, default=Nth.FIRST)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    time = models.TimeField(_("time"), default="19:30")
    weekend = models.CharField(_("when the day falls on a weekend"), max_length=10, choices=Weekend.choices,
                               default=Weekend.KEEP)  # fmt: skip
    duration_minutes = models.PositiveSmallIntegerField(_("expected duration (minutes)"), default=90)
    place = models.CharField(_("usual place"), max_length=200, blank=True)
    committee_days_before = models.PositiveSmallIntegerField(
        _("committee meeting, days before"),
        default=3,
        help_text=_("The cell committee prepares each regular meeting this many days before it; 0 for none."),
    )

    class Meta:
        verbose_name = _("regular schedule")
        verbose_name_plural = _("regular schedules")
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="schedule_day_1_31"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="schedule_weekday_0_6"),
        ]

    def __str__(self):
        return str(self.cell)


class ThematicTopic(models.Model):
    """A topic of the cell's yearly thematic plan, drafted by one member."""

    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="thematic_topics", verbose_name=_("cell"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, q) for q in (1, 2, 3, 4)])
    title = models.CharField(_("title"), max_length=300)
    drafter = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("drafted by")
    )
    draft = models.FileField(_("draft document"), upload_to=topic_path, blank=True, max_length=300)

    class Meta:
        verbose_name = _("thematic topic")
        verbose_name_plural = _("thematic topics")
        ordering = ["year", "quarter", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="topic_quarter")]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    class Section(models.TextChoices):
        OPENING = "opening", _("Opening")
        BODY = "body", _("Body")
        CLOSING = "closing", _("Closing")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="agenda_items")
    section = models.CharField(_("part"), max_length=10, choices=Section.choices, default=Section.BODY)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Document(models.Model):
    """A file for a meeting or one of its agenda items; served only through the access rules."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="documents")
    agenda_item = models.ForeignKey(
        AgendaItem, models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name=_("agenda item")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1]


class Guidance(models.Model):
    """A higher committee's monthly guidance; it shows in every cell's regular meeting of that month below it."""

    unit = models.ForeignKey(OrgUnit, models.CASCADE, related_name="guidance", verbose_name=_("committee"))
    month = models.DateField(_("month"), help_text=_("The first day of the month it is for."))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    file = models.FileField(_("document"), upload_to=guidance_path, blank=True, max_length=300)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("monthly guidance")
        verbose_name_plural = _("monthly guidance")
        ordering = ["-month", "pk"]

    def __str__(self):
        return self.title


def guidance_for(meeting):
    """The monthly guidance a regular meeting carries: guidance from a committee above the cell, for this
    month or before, that no earlier regular meeting of the cell has carried yet (so guidance published
    after the month's meeting reaches the next one)."""
    if meeting.kind != Meeting.Kind.REGULAR:
        return []
    local = timezone.localtime(meeting.starts_at)
    previous = (
        Meeting.objects.regular().not_cancelled()
        .filter(cell_id=meeting.cell_id, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at").values("starts_at")[:1]
    )  # fmt: skip
    month = local.date().replace(day=1)
    earliest = date(month.year - (month.month <= 3), (month.month - 4) % 12 + 1, 1)  # three months back
    # The previous regular meeting's start comes with each candidate: one query, none when there is no guidance.
    candidates = Guidance.objects.filter(
        unit__path__in=meeting.cell.ancestor_paths(), month__lte=month, month__gte=earliest,
        created_at__lte=meeting.starts_at,
    ).select_related("unit").annotate(previous_meeting_at=Subquery(previous))  # fmt: skip
    shown = []
    for item in candidates:
        # It belongs to the first regular meeting from the later of its month and its publication.
        starts = max(item.created_at, timezone.make_aware(datetime.combine(item.month, datetime.min.time())))
        if item.previous_meeting_at is None or item.previous_meeting_at < starts:
            shown.append(item)
    return shown


class Invitation(models.Model):
    """One member convened to one meeting, and their reply."""

    class Reply(models.TextChoices):
        NONE = "", _("No reply yet")
        YES = "yes", _("Will attend")
        NO = "no", _("Cannot attend")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Member, models.CASCADE, related_name="invitations")
    expected = models.BooleanField(
        _("expected"), default=True, help_text=_("Exempt members and members away are informed, not expected.")
    )
    reply = models.CharField(_("reply"), max_length=3, choices=Reply.choices, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_through_link = models.BooleanField(default=False)
    # A reply given by phone or in person is recorded by whoever manages the cell's meetings.
    replied_via = models.CharField(
        _("replied by"),
        max_length=10,
        choices=[("", _("Chibo")), ("phone", _("Phone call")), ("person", _("In person"))],
        blank=True,
        default="",
    )
    recorded_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="invitation_unique")]

    def __str__(self):
        return f"{self.member} – {self.meeting}"


class Attendance(models.Model):
    """Whether a member came, with their category as it was that day (later changes never rewrite it)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Absent with a reason")
        UNEXCUSED = "unexcused", _("Absent without a reason")

    class Category(models.TextChoices):
        OFFICIAL = "official", _("Official")
        PROBATIONARY = "probationary", _("Probationary")
        VISITING = "visiting", _("Here on temporary activity")
        EXEMPT = "exempt", _("Exempt")
        AWAY = "away", _("Away on temporary activity")
        SPECIAL_DUTY = "special_duty", _("Armed forces, on special duty")
        PROSECUTED = "prosecuted", _("Prosecuted or detained")

    # No index of their own: `attendance_unique` starts with the meeting and `attendance_member_status` with the
    # member, and serve both lookups. On the biggest table (80 million rows a year for the country) each
    # redundant index is a tenth of its size and a write more per row (docs/scaling.md).
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendances", db_index=False)
    member = models.ForeignKey(Member, models.PROTECT, related_name="attendances", db_index=False)
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    # Whether the member was official that day: only official members vote (domain §3).
    official = models.BooleanField(_("official"), default=False)
    recorded_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_status")]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"

    @property
    def is_present(self):
        return self.status in (self.Status.PRESENT, self.Status.LATE)

    @staticmethod
    def was_official(member, on_date):
        return bool(member.official_on and member.official_on <= on_date)

    @classmethod
    def category_of(cls, member, on_date, status=None):
        """The member's category on a meeting's day, from their status that day and their official date."""
        return cls.category_for(status or member.status, member.official_on, on_date)

    @classmethod
    def category_for(cls, status, official_on, on_date):
        """The category of a member with this status that day, made official on `official_on` (or not yet)."""
        if status == Member.Status.EXEMPT:
            return cls.Category.EXEMPT
        if status == Member.Status.AWAY:
            return cls.Category.AWAY
        if status == Member.Status.VISITING:
            return cls.Category.VISITING
        if status == Member.Status.SPECIAL_DUTY:
            return cls.Category.SPECIAL_DUTY
        if status == Member.Status.PROSECUTED:
            return cls.Category.PROSECUTED
        if official_on and official_on <= on_date:
            return cls.Category.OFFICIAL
        return cls.Category.PROBATIONARY


# Members informed of a meeting but not expected at it (domain §3, §4): out of the attendance rate, and their
# absence is never an absence (criterion 1 of the quality score, the removal flag).
NOT_EXPECTED = (Attendance.Category.EXEMPT, Attendance.Category.AWAY, Attendance.Category.SPECIAL_DUTY)


def counted_categories():
    """Categories in the base of the attendance rate (domain §3); visiting members are a setting. Members
    prosecuted or detained stay in it: the rule takes them out of the vote base only."""
    counted = {Attendance.Category.OFFICIAL, Attendance.Category.PROBATIONARY, Attendance.Category.PROSECUTED}
    if settings.ATTENDANCE_COUNT_VISITING:
        counted.add(Attendance.Category.VISITING)
    return counted


def attendance_summary(attendances):
    """Counts by status and category, and the rate: present ÷ (roll − exempt − away − special duty).

    `attendances` may hold unsaved rows without a status for members on the roll left blank (see
    `meetings.services.roll_on_the_day`): they count in the roll and its categories, not in the rate."""
    counted = counted_categories()
    in_base = [a for a in attendances if a.category in counted and a.status]
    present = sum(1 for a in in_base if a.is_present)
    by_category = {c: sum(1 for a in attendances if a.category == c) for c in Attendance.Category.values}
    return {
        "total": len(attendances),
        "base": len(in_base),
        "present": present,
        "late": sum(1 for a in attendances if a.status == Attendance.Status.LATE),
        "excused": [a for a in attendances if a.status == Attendance.Status.EXCUSED],
        "unexcused": [a for a in attendances if a.status == Attendance.Status.UNEXCUSED],
        "by_category": by_category,
        "rate": round(100 * present / len(in_base), 1) if in_base else None,
    }


class MeetingChange(models.Model):
    """History of who did what to a meeting: moves, cancellations, attendance changes."""

    # What each action is called on the meeting's page (the rows keep the short English key).
    ACTION_LABELS = {
        "created": _("planned"),
        "edited": _("edited"),
        "chair": _("chair changed"),
        "confirmed": _("confirmed, invitations sent"),
        "moved": _("moved"),
        "cancelled": _("cancelled"),
        "postponed": _("postponed"),
        "reply recorded": _("reply recorded"),
        "attendance": _("attendance recorded"),
    }

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="changes")
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.meeting}: {self.action}"

    @property
    def action_label(self):
        return self.ACTION_LABELS.get(self.action, self.action)


class CalendarFeed(models.Model):
    """A member's private calendar address; a new token revokes the old one."""

    member = models.OneToOneField(Member, models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.member}"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)


class InvitationSheet(models.Model):
    """The printed invitations (giấy mời) of a meeting: one page per member, with a QR code of their reply link,
    for the members Chibo cannot reach by phone (or for all), rendered to PDF by a worker."""

    class Scope(models.TextChoices):
        NO_PHONE = "no_phone", _("Members without a mobile phone")
        ALL = "all", _("Every member invited")

    meeting = models.OneToOneField(Meeting, models.CASCADE, related_name="invitation_sheet")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.NO_PHONE)
    pdf = models.FileField(upload_to="invitations/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_source = models.CharField(max_length=64, blank=True)
    pdf_status = models.CharField(max_length=10, blank=True, default="")
    requested_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.meeting}: {self.get_scope_display()}"
