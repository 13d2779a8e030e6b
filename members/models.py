"""The organisation tree (`OrgUnit`), members with their status and cell history, grants on committees, logins,
and the receipts of roll imports."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import phones, signals
from .names import fold, normalize_name, sort_key, split_name
from .workdays import add_working_days, shortest_span

# Party rules admit members from the age of 18; older records keep a floor of 1900.
MIN_ADMISSION_AGE = 18
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
PROBATION_MONTHS = 12


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class User(AbstractUser):
    """A login. Cell members link to one through Member.user; higher-committee staff through grants."""

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_claimed(self):
        """Its owner has chosen a password or logged in: from then on only they decide where it logs in."""
        return self.has_usable_password() or self.last_login is not None


class OrgUnitQuerySet(models.QuerySet):
    def visible_to(self, access):
        """The units `access` (a user's `members.access.for_user(user)`) lets them see."""
        return access.units(self)

    def subtree(self, unit):
        """Every unit at or below `unit`: one indexed prefix query on the materialised path."""
        return self.filter(path__startswith=unit.path)

    def cells(self):
        return self.filter(kind=OrgUnit.Kind.CELL)


class OrgUnit(models.Model):
    """A node of the party organisation: any depth, any kind, so reorganisations need no code."""

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("Provincial party committee")
        COMMUNE = "commune", _("Commune or ward party committee")
        GRASSROOTS = "grassroots", _("Grassroots party committee")
        SUB_COMMITTEE = "sub_committee", _("Party sub-committee")
        CELL = "cell", _("Party cell")
        GROUP = "group", _("Party group")

    # Segments of the materialised path: the primary key, zero-padded, then a slash.
    SEGMENT_WIDTH = 9
    MAX_DEPTH = 150  # path max_length / (SEGMENT_WIDTH + 1), with room to spare

    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("As written on documents, e.g. “Chi bộ Thôn Đông”."))
    code = models.CharField(_("code"), max_length=40, unique=True)
    place_name = models.CharField(
        _("place name"), max_length=100, help_text=_("Used in the date line of documents, e.g. “Tân Hưng”.")
    )
    # Unique: PostgreSQL then also keeps a varchar_pattern_ops index, which serves `path LIKE 'prefix%'`.
    path = models.CharField(_("path"), max_length=2000, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"], name="orgunit_kind_path")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self._state.adding:
                self.path = f"new-{uuid.uuid4().hex}"  # replaced below, once the primary key is known
                super().save(*args, **kwargs)
                self._set_path()
                OrgUnit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
                return
            old = OrgUnit.objects.select_for_update().values("parent_id", "path", "kind").get(pk=self.pk)
            # Checked again under the row lock, for saves that skip `clean` and forms checked a moment ago: a
            # member or meeting being added to the cell holds a share lock on this row, which this waits for.
            if old["kind"] == self.Kind.CELL and not self.is_cell and self.holds_cell_records():
                raise ValidationError({"kind": self.cell_records_message()})
            moved = old["parent_id"] != self.parent_id
            if moved:
                self._move_subtree(old["path"])
            super().save(*args, **kwargs)
            if moved:
                signals.unit_moved.send(sender=OrgUnit, unit=self, old_parent_id=old["parent_id"])

    def get_absolute_url(self):
        return reverse("members:unit", args=[self.pk])

    def clean(self):
        # Errors about the place in the tree are the form's own, not the parent field's: the page of a new
        # unit fixes its parent and has no such field to show them on.
        if self.parent_id and self.pk:
            parent_path = OrgUnit.objects.values_list("path", flat=True).get(pk=self.parent_id)
            if parent_path.startswith(self.path):
                raise ValidationError(_("A unit cannot be placed inside itself or one of its own units."))
        if self.kind in self.Kind.values:
            if self.parent_id and self.kind not in self.kinds_below(self.parent.kind):
                raise ValidationError({"kind": self.parent.kinds_below_message()})
            if self.pk and self.children.exclude(kind__in=self.kinds_below(self.kind)).exists():
                message = _("Some units below this one cannot stay inside a unit of kind “%(kind)s”.")
                raise ValidationError({"kind": message % {"kind": self.get_kind_display()}})
            if not self.is_cell and self.holds_cell_records():
                raise ValidationError({"kind": self.cell_records_message()})
        if self.parent_id and self.kind != self.Kind.GROUP:
            inside_cell = OrgUnit.objects.filter(path__in=self.parent.ancestor_paths(), kind=self.Kind.CELL)
            if inside_cell.exists():
                raise ValidationError(_("Only party groups can be placed inside a cell."))
        if self.parent_id and self.parent.depth + 1 >= self.MAX_DEPTH:
            raise ValidationError(_("The organisation tree cannot be deeper than this."))

    def _set_path(self):
        segment = f"{self.pk:0{self.SEGMENT_WIDTH}d}/"
        if self.parent_id:
            parent = OrgUnit.objects.values("path", "depth").get(pk=self.parent_id)
            self.path, self.depth = parent["path"] + segment, parent["depth"] + 1
        else:
            self.path, self.depth = segment, 0

    def _move_subtree(self, old_path):
        self._set_path()
        if self.path.startswith(old_path):
            raise ValidationError(_("A unit cannot be placed inside itself or one of its own units."))
        depth_change = self.depth - (old_path.count("/") - 1)
        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(self.path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
            depth=F("depth") + depth_change,
        )

    @property
    def is_cell(self):
        return self.kind == self.Kind.CELL

    def holds_cell_records(self):
        """Whether members (on the roll or not), their stays or meetings belong to this unit: those exist only
        in a cell, whose pages are the only ones showing them, so such a unit must stay a cell."""
        if not self.pk:
            return False
        # `meetings` is the meetings app's relation to the cell (that app is above this one: no import).
        return self.members.exists() or self.memberships.exists() or self.meetings.exists()

    def cell_records_message(self):
        return _("Members or meetings belong to this cell, so it must stay a party cell.")

    def secretary(self):
        """The cell's secretary on the party's rolls, or None (the e-mails' Reply-To and organizer)."""
        return self.members.on_roll().filter(position=Member.Position.SECRETARY).first()

    @classmethod
    def kinds_below(cls, kind):
        """The kinds a unit of `kind` may hold. `Kind` is declared from the top down: a committee holds
        committees of its own rank or lower (sub-committees nested in sub-committees, a grassroots cell
        directly under a higher committee), never a higher one, so nobody below a province creates a
        province. A cell holds only party groups, which exist only inside a cell and hold nothing (domain §1:
        any depth, any shape, without code changes)."""
        if kind == cls.Kind.CELL:
            return [cls.Kind.GROUP]
        if kind == cls.Kind.GROUP:
            return []
        kinds = list(cls.Kind)
        return [k for k in kinds[kinds.index(kind) :] if k != cls.Kind.GROUP]

    def kinds_below_message(self):
        kinds = self.kinds_below(self.kind)
        if not kinds:
            return _("Nothing can be placed inside a unit of this kind (%(kind)s).") % {"kind": self.get_kind_display()}
        return _("Below a unit of kind “%(kind)s”, choose one of: %(kinds)s.") % {
            "kind": self.get_kind_display(),
            "kinds": ", ".join(str(kind.label) for kind in kinds),
        }

    def ancestor_paths(self):
        """Paths of this unit and of every unit above it, from the top."""
        segments = self.path.rstrip("/").split("/")
        return ["".join(f"{s}/" for s in segments[: i + 1]) for i in range(len(segments))]

    def ancestors(self):
        return OrgUnit.objects.filter(path__in=self.ancestor_paths()[:-1]).order_by("depth")


class TemporaryReason(models.TextChoices):
    """Why a member is on temporary activity (sinh hoạt tạm thời), which decides how long it may last (§8)."""

    WORK = "work", _("Work")
    RESIDENCE = "residence", _("Residence")
    STUDY = "study", _("Study")


# Temporary activity lasts 3 to 12 months for work or residence, up to 2 years for study (domain §8).
TEMPORARY_MONTHS = {
    TemporaryReason.WORK: (3, 12),
    TemporaryReason.RESIDENCE: (3, 12),
    TemporaryReason.STUDY: (0, 24),
}
TEMPORARY_STATUSES = ("away", "visiting")


def temporary_until_error(reason, since, until):
    """Why `until` cannot end a temporary activity for `reason` begun on `since`, or None."""
    shortest, longest = TEMPORARY_MONTHS[reason]
    if until <= since:
        return _("The temporary activity must end after it begins.")
    if until < add_months(since, shortest):
        return _("Temporary activity for work or residence lasts at least %(n)s months.") % {"n": shortest}
    if until > add_months(since, longest):
        if reason == TemporaryReason.STUDY:
            return _("Temporary activity for study lasts at most 2 years.")
        return _("Temporary activity for work or residence lasts at most %(n)s months.") % {"n": longest}
    return None


class MemberQuerySet(models.QuerySet):
    def visible_to(self, access):
        """The members `access` (a user's `members.access.for_user(user)`) lets them see."""
        return access.members(self)

    def on_roll(self):
        """Members the cell counts as its own: everyone but those transferred out."""
        return self.exclude(status=Member.Status.TRANSFERRED)

    def official(self):
        return self.filter(official_on__isnull=False)

    def probationary(self):
        return self.filter(official_on__isnull=True)

    def in_subtree(self, unit):
        return self.filter(cell__path__startswith=unit.path)


class Member(models.Model):
    """A party member (đảng viên) of one cell. Only what meetings need is stored (domain §9)."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXEMPT = "exempt", _("Exempt from party work and activities")
        AWAY = "away", _("On temporary activity elsewhere")
        VISITING = "visiting", _("Here on temporary activity")
        SUSPENDED = "suspended", _("Suspended")
        # Armed-forces members on special duty (domain §3): on the roll, informed, out of the attendance rate.
        SPECIAL_DUTY = "special_duty", _("Armed forces, on special duty")
        # Prosecuted or detained: on the roll and convened, never in the vote base; not a suspension (§3).
        PROSECUTED = "prosecuted", _("Prosecuted or detained")
        TRANSFERRED = "transferred", _("Transferred out")

    # Informed of meetings, never expected at them: their absence is no absence (domain §3, §4).
    NOT_EXPECTED = (Status.EXEMPT, Status.AWAY, Status.SPECIAL_DUTY)

    class Position(models.TextChoices):
        MEMBER = "member", _("Member")
        COMMITTEE = "committee", _("Committee member")
        DEPUTY = "deputy", _("Deputy secretary")
        SECRETARY = "secretary", _("Secretary")

    cell = models.ForeignKey(
        OrgUnit,
        models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": OrgUnit.Kind.CELL},
        verbose_name=_("cell"),
    )
    full_name = models.CharField(_("full name"), max_length=100)
    sort_key = models.CharField(_("sort key"), max_length=600, editable=False, db_index=True)
    search_name = models.CharField(_("name for searching"), max_length=300, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    card_number = models.CharField(_("party card number"), max_length=20, blank=True)
    admitted_on = models.DateField(_("admission date"))
    official_on = models.DateField(
        _("date made official"), null=True, blank=True, help_text=_("Leave empty while the member is probationary.")
    )
    status = models.CharField(_("activity status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField(_("status since"), default=timezone.localdate)
    # Temporary activity (away or visiting, domain §8): why, and until when (`temporary_until_error`).
    temporary_reason = models.CharField(_("reason for temporary activity"), max_length=20, blank=True,
                                        choices=TemporaryReason.choices)  # fmt: skip
    temporary_until = models.DateField(_("temporary activity until"), null=True, blank=True)
    position = models.CharField(
        _("position in the cell"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # When someone else last changed the number of a member who uses their login: the number opens no login
    # by code until PHONE_CHANGE_HOLD_HOURS later, and the old number is told at once.
    phone_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How Chibo reaches the member: their own order of channels (empty: the setting NOTIFY_CHANNELS), or none.
    CHANNEL_ORDERS = [
        ("", _("As set for everyone (Zalo, then SMS, then e-mail)")),
        ("zalo,sms,email", _("Zalo, then SMS, then e-mail")),
        ("sms,zalo,email", _("SMS, then Zalo, then e-mail")),
        ("email,zalo,sms", _("E-mail, then Zalo, then SMS")),
        # What is left of the two orders above once the member stopped the e-mails (notifications/unsubscribe.py).
        ("zalo,sms", _("Zalo, then SMS")),
        ("sms,zalo", _("SMS, then Zalo")),
        ("sms", _("SMS only")),
        ("zalo", _("Zalo only")),
        ("email", _("E-mail only")),
    ]
    channels = models.CharField(_("how to reach them"), max_length=30, blank=True, choices=CHANNEL_ORDERS, default="")
    no_messages = models.BooleanField(_("asked to receive no messages"), default=False)
    user = models.OneToOneField(
        User, models.SET_NULL, null=True, blank=True, related_name="member", verbose_name=_("login account")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["card_number"], condition=~Q(card_number=""), name="member_card_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(official_on__isnull=True) | Q(official_on__gt=F("admitted_on")),
                name="member_official_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__isnull=True) | Q(birth_date__lt=F("admitted_on")),
                name="member_born_before_admission",
            ),
            models.UniqueConstraint(
                fields=["cell"],
                condition=Q(position="secretary") & ~Q(status="transferred"),
                name="member_one_secretary_per_cell",
                violation_error_message=_("The cell already has a secretary."),
            ),
        ]
        indexes = [models.Index(fields=["cell", "status"], name="member_cell_status")]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.prepare_names()
        self.card_number = self.card_number.strip()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_key", "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:detail", args=[self.pk])

    @property
    def phone_shown(self):
        """The stored number (E.164) as people read it: "0912 345 678"."""
        return phones.shown(self.phone)

    def clean(self):
        errors = self.rule_errors()
        if self.card_number and "card_number" not in errors:
            clash = Member.objects.filter(card_number=self.card_number.strip()).exclude(pk=self.pk)
            if clash.exists():
                errors["card_number"] = _("Another member already has this party card number.")
        # A position is held in the cell by someone on its roll: leaving ends it (`services.change_status`), and a
        # record of someone who left cannot be given one, or coming back would bring a second secretary.
        if self.position != self.Position.MEMBER and not self.is_on_roll:
            errors.setdefault("position", _("A member who has left the cell holds no position in it."))
        # The database constraint holds this too, but forms leave out the cell and the status it reads.
        if self.position == self.Position.SECRETARY and self.is_on_roll and self.cell_id:
            secretaries = Member.objects.filter(cell_id=self.cell_id, position=self.Position.SECRETARY).on_roll()
            if secretaries.exclude(pk=self.pk).exists():
                errors.setdefault("position", _("The cell already has a secretary."))
        if errors:
            raise ValidationError(errors)

    def rule_errors(self):
        """The member's own rules, checked without the database (the import checks many at once)."""
        errors = {}
        today = timezone.localdate()
        self.full_name = normalize_name(self.full_name or "")
        if self.full_name and len(self.full_name.split(" ")) < 2:
            errors["full_name"] = _("Write the full name: family name, middle name and given name.")
        elif len(self.full_name) > Member._meta.get_field("full_name").max_length:
            errors["full_name"] = _("The name is too long.")
        if self.birth_date:
            if self.birth_date < EARLIEST_BIRTH_DATE or self.birth_date > add_years(today, -MIN_ADMISSION_AGE):
                errors["birth_date"] = _("This birth date is not plausible for a party member.")
            elif self.admitted_on and self.admitted_on < add_years(self.birth_date, MIN_ADMISSION_AGE):
                errors["admitted_on"] = _("The member would have been under 18 on the admission date.")
        if self.admitted_on and self.admitted_on > today:
            errors["admitted_on"] = _("The admission date cannot be in the future.")
        if self.official_on:
            if self.admitted_on and self.official_on <= self.admitted_on:
                errors["official_on"] = _("The date made official must come after the admission date.")
            elif self.official_on > today:
                errors["official_on"] = _("The date made official cannot be in the future.")
        if self.cell_id and not self.cell.is_cell:
            errors["cell"] = _("Members belong to a party cell.")
        return errors

    def prepare_names(self):
        """Store the name one way and derive its sort and search forms (bulk inserts call this too)."""
        self.full_name = normalize_name(self.full_name)
        self.sort_key = sort_key(self.full_name)[:600]
        self.search_name = fold(self.full_name)[:300]

    @property
    def given_name(self):
        return split_name(self.full_name)[2]

    @property
    def is_official(self):
        return self.official_on is not None

    @property
    def is_on_roll(self):
        return self.status != self.Status.TRANSFERRED

    @property
    def probation_ends_on(self):
        if self.is_official:
            return None
        return add_months(self.admitted_on, PROBATION_MONTHS)

    def probation_review_due(self, today=None):
        """Probationary for 12 months or more: the cell should review them for official status."""
        ends = self.probation_ends_on
        return ends is not None and ends <= (today or timezone.localdate())

    @property
    def category_label(self):
        return _("Official") if self.is_official else _("Probationary")

    # Django's own get_FOO_display builds a dict of every choice at each call (about 30 µs, ten times this):
    # the member list and the rolls call them on every row.
    def get_status_display(self):
        return _choice_label(self.Status, self.status)

    def get_position_display(self):
        return _choice_label(self.Position, self.position)


def _choice_label(choices, value):
    """What Django's get_FOO_display writes: the choice's label in the active language, else the value."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class StatusChange(models.Model):
    """History of a member's activity status: which status, from which day, who recorded it."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="status_changes", verbose_name=_("member"))
    status = models.CharField(_("activity status"), max_length=20, choices=Member.Status.choices)
    since = models.DateField(_("since"))
    temporary_reason = models.CharField(_("reason for temporary activity"), max_length=20, blank=True,
                                        choices=TemporaryReason.choices)  # fmt: skip
    temporary_until = models.DateField(_("temporary activity until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-since", "-recorded_at"]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()} ({self.since:%d/%m/%Y})"


class CellMembership(models.Model):
    """One stay of a member in a cell; a transfer ends one stay and starts the next."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="memberships", verbose_name=_("member"))
    cell = models.ForeignKey(OrgUnit, models.PROTECT, related_name="memberships", verbose_name=_("cell"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cell membership")
        verbose_name_plural = _("cell memberships")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="membership_one_open_per_member"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.cell}"


class TransferQuerySet(models.QuerySet):
    def visible_to(self, access):
        """Transfers from or to a cell `access` lets them see: both sides follow one."""
        return access.transfers(self)

    def in_progress(self):
        return self.filter(status=Transfer.Status.IN_PROGRESS)

    def touching(self, unit):
        """Transfers from or to a cell at or below `unit`."""
        return self.filter(Q(from_cell__path__startswith=unit.path) | Q(to_cell__path__startswith=unit.path))

    def possibly_late(self, today):
        """In progress and old enough to be late (`Transfer.lateness` decides): nothing younger than the fewest
        calendar days its limit can take can be."""
        papers = shortest_span(settings.TRANSFER_PAPERS_WORKING_DAYS)
        present = shortest_span(settings.TRANSFER_PRESENT_WORKING_DAYS)
        return self.in_progress().filter(
            Q(papers_issued_on__isnull=True, requested_on__lt=today - timedelta(days=papers))
            | Q(papers_issued_on__lt=today - timedelta(days=present))
        )


class Transfer(models.Model):
    """A permanent transfer of party activity (chuyển sinh hoạt đảng chính thức) between two cells, in progress.

    The sending cell issues the papers within TRANSFER_PAPERS_WORKING_DAYS of the request; the member presents
    them at the receiving cell within TRANSFER_PRESENT_WORKING_DAYS of their issue (domain §8; working days in
    `workdays.py`). Recording the presentation completes it: `services.transfer` moves the member.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", pgettext_lazy("transfer", "Completed")
        CANCELLED = "cancelled", _("Cancelled")

    member = models.ForeignKey(Member, models.CASCADE, related_name="transfers", verbose_name=_("member"))
    from_cell = models.ForeignKey(OrgUnit, models.PROTECT, related_name="transfers_out", verbose_name=_("sending cell"))
    to_cell = models.ForeignKey(OrgUnit, models.PROTECT, related_name="transfers_in", verbose_name=_("receiving cell"))
    requested_on = models.DateField(_("requested on"))
    papers_issued_on = models.DateField(_("papers issued on"), null=True, blank=True)
    presented_on = models.DateField(_("presented at the new cell on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="in_progress"), name="transfer_one_in_progress_per_member"
            ),
            models.CheckConstraint(condition=~Q(from_cell=F("to_cell")), name="transfer_between_two_cells"),
            models.CheckConstraint(
                condition=Q(papers_issued_on__isnull=True) | Q(papers_issued_on__gte=F("requested_on")),
                name="transfer_papers_after_request",
            ),
            models.CheckConstraint(
                condition=Q(presented_on__isnull=True)
                | (Q(papers_issued_on__isnull=False) & Q(presented_on__gte=F("papers_issued_on"))),
                name="transfer_presented_after_papers",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_on"], name="transfer_status_requested")]

    def __str__(self):
        return f"{self.member}: {self.from_cell} → {self.to_cell}"

    def get_absolute_url(self):
        return reverse("members:transfer_detail", args=[self.pk])

    @property
    def papers_due_on(self):
        return add_working_days(self.requested_on, settings.TRANSFER_PAPERS_WORKING_DAYS)

    @property
    def present_due_on(self):
        if self.papers_issued_on is None:
            return None
        return add_working_days(self.papers_issued_on, settings.TRANSFER_PRESENT_WORKING_DAYS)

    def papers_late(self, today=None):
        """The sending cell issued the papers after their limit, or has not and the limit is past."""
        issued = self.papers_issued_on or (today or timezone.localdate())
        return issued > self.papers_due_on

    def presentation_late(self, today=None):
        """The member presented the papers after their limit, or has not and the limit is past."""
        if self.papers_issued_on is None:
            return False
        presented = self.presented_on or (today or timezone.localdate())
        return presented > self.present_due_on

    def lateness(self, today=None):
        """Who is late, in the reader's language: [] when nobody is."""
        found = []
        if self.papers_late(today):
            found.append(
                _("The papers are late at %(cell)s (due %(date)s).")
                % {"cell": self.from_cell, "date": f"{self.papers_due_on:%d/%m/%Y}"}
            )
        if self.presentation_late(today):
            found.append(
                _("Presentation at %(cell)s is late (due %(date)s).")
                % {"cell": self.to_cell, "date": f"{self.present_due_on:%d/%m/%Y}"}
            )
        return found


class Grant(models.Model):
    """A login's role in a higher committee: it sees (viewer) or also manages (admin) every unit below."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(User, models.CASCADE, related_name="grants", verbose_name=_("user"))
    unit = models.ForeignKey(OrgUnit, models.CASCADE, related_name="grants", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("higher-committee role")
        verbose_name_plural = _("higher-committee roles")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="grant_unique_user_unit")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


class MemberImport(models.Model):
    """A confirmed member import. Its preview's token is unique: a preview is imported once, even when the
    button is pressed twice at once (the second insert waits for the first and is then refused)."""

    token = models.CharField(_("preview"), max_length=64, unique=True)
    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="+", verbose_name=_("cell"))
    by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+", verbose_name=_("imported by"))
    count = models.PositiveIntegerField(_("members imported"), default=0)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def __str__(self):
        return f"{self.cell} – {self.created_at:%d/%m/%Y %H:%M} – {self.count}"


class PhoneCode(models.Model):
    """A one-time code sent by Zalo or SMS to log in, or to choose a new password, with a phone number.

    Only its keyed hash is kept. It lasts PHONE_CODE_MINUTES and takes PHONE_CODE_TRIES tries; a new code for the
    same number and purpose replaces the older ones.
    """

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Log in")
        RESET = "reset", _("New password")

    phone = models.CharField(max_length=20, db_index=True)
    member = models.ForeignKey(Member, models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.phone} ({self.purpose})"
