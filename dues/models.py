"""Party dues (đảng phí, domain §11): rates, each member's basis, the cell's dues book and its monthly report.

Months are stored as the first day of the month. Amounts are whole đồng (VND). The dues book stores the amount
due of each member × month when the month is opened, so a later change of rate or basis never rewrites the
past; every change of a stored amount after that goes through a `DuesCorrection` row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Member, OrgUnit


class Category(models.TextChoices):
    """Dues categories (QĐ 342): the first two pay a share of a declared base, the others a fixed amount."""

    SALARIED = "salaried", _("Salaried (state bodies, armed forces, public units, enterprises, commune officials)")
    PENSION = "pension", _("Pension or monthly social-insurance allowance")
    STUDENT = "student", _("Student without income")
    OTHER = "other", _("Farmers, business owners and other members")


PERCENT_CATEGORIES = {Category.SALARIED, Category.PENSION}


class DuesRate(models.Model):
    """A category's rate set by a committee for the cells below it, from a month on (the newest applies)."""

    unit = models.ForeignKey(OrgUnit, models.CASCADE, related_name="dues_rates", verbose_name=_("set by unit"))
    category = models.CharField(_("dues category"), max_length=20, choices=Category.choices)
    percent = models.DecimalField(_("percent of the base"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.PositiveIntegerField(_("fixed monthly amount (VND)"), null=True, blank=True)
    valid_from = models.DateField(_("from month"))
    note = models.CharField(_("decision or note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues rate")
        verbose_name_plural = _("dues rates")
        ordering = ["unit", "category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "category", "valid_from"], name="dues_rate_unique"),
            models.CheckConstraint(
                condition=Q(percent__isnull=False, amount__isnull=True) | Q(percent__isnull=True, amount__isnull=False),
                name="dues_rate_percent_or_amount",
            ),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="dues_rate_first_day"),
        ]

    def __str__(self):
        return f"{self.unit} {self.get_category_display()} {self.valid_from:%m/%Y}"


class DuesProfile(models.Model):
    """A member's dues basis from a month on: category, declared base and where they pay while away.

    One row per change; the row with the newest `valid_from` not after a month applies to it."""

    class AwayPays(models.TextChoices):
        DEFAULT = "", _("As the setting says")
        HOME = "home", _("At their official cell")
        HOST = "host", _("At the cell where they are on temporary activity")

    member = models.ForeignKey(Member, models.CASCADE, related_name="dues_profiles", verbose_name=_("member"))
    valid_from = models.DateField(_("from month"))
    category = models.CharField(_("dues category"), max_length=20, choices=Category.choices)
    base = models.PositiveBigIntegerField(
        _("declared monthly base (VND)"),
        null=True,
        blank=True,
        help_text=_("Salary and allowances that carry social insurance, or the pension."),
    )
    away_pays = models.CharField(
        _("while on temporary activity, pays"), max_length=10, choices=AwayPays.choices, blank=True, default=""
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues profile")
        verbose_name_plural = _("dues profiles")
        ordering = ["member", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "valid_from"], name="dues_profile_unique"),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="dues_profile_first_day"),
        ]

    def __str__(self):
        return f"{self.member} {self.get_category_display()} {self.valid_from:%m/%Y}"


class DuesExemption(models.Model):
    """The cell exempts a member from dues for some months (a reason is required)."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="dues_exemptions", verbose_name=_("member"))
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("to month"), null=True, blank=True, help_text=_("Empty: until further notice."))
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exemption from dues")
        verbose_name_plural = _("exemptions from dues")
        ordering = ["member", "-from_month"]
        constraints = [
            models.CheckConstraint(condition=Q(from_month__day=1), name="dues_exemption_first_day"),
            models.CheckConstraint(
                condition=Q(to_month__isnull=True) | Q(to_month__gte=models.F("from_month")),
                name="dues_exemption_order",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="dues_exemption_reason"),
        ]

    def __str__(self):
        return f"{self.member} {self.from_month:%m/%Y}"

    def covers(self, month):
        return self.from_month <= month and (self.to_month is None or month <= self.to_month)


class DuesEntry(models.Model):
    """One line of the cell's dues book: a member × month, the amount due (fixed when opened) and paid."""

    cell = models.ForeignKey(OrgUnit, models.PROTECT, related_name="dues_entries", verbose_name=_("cell"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="dues_entries", verbose_name=_("member"))
    month = models.DateField(_("month"))
    # How the amount was computed, kept so the book explains itself years later.
    category = models.CharField(_("dues category"), max_length=20, choices=Category.choices)
    base = models.PositiveBigIntegerField(_("declared monthly base (VND)"), null=True, blank=True)
    percent = models.DecimalField(_("percent of the base"), max_digits=5, decimal_places=2, null=True, blank=True)
    rate = models.ForeignKey(
        DuesRate, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rate applied")
    )
    exemption = models.ForeignKey(
        DuesExemption, models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("exemption")
    )
    due = models.PositiveIntegerField(_("amount due (VND)"))
    paid = models.PositiveIntegerField(_("amount paid (VND)"), default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    collected_by = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("collected by")
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues book line")
        verbose_name_plural = _("dues book lines")
        ordering = ["cell", "month", "member__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_entry_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_entry_first_day"),
        ]
        indexes = [models.Index(fields=["cell", "month"], name="dues_entry_cell_month")]

    def __str__(self):
        return f"{self.member} {self.month:%m/%Y}"

    @property
    def owed(self):
        return max(self.due - self.paid, 0)

    @property
    def is_unpaid(self):
        return self.paid < self.due


class DuesPayment(models.Model):
    """Money handed over once, spread over one or several months (`DuesAllocation`)."""

    cell = models.ForeignKey(OrgUnit, models.PROTECT, related_name="dues_payments", verbose_name=_("cell"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="dues_payments", verbose_name=_("member"))
    amount = models.PositiveIntegerField(_("amount (VND)"))
    paid_on = models.DateField(_("paid on"))
    collected_by = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("collected by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive")]

    def __str__(self):
        return f"{self.member} {self.amount} {self.paid_on:%d/%m/%Y}"


class DuesAllocation(models.Model):
    """The part of a payment that went to one month."""

    payment = models.ForeignKey(DuesPayment, models.CASCADE, related_name="allocations", verbose_name=_("payment"))
    entry = models.ForeignKey(DuesEntry, models.CASCADE, related_name="allocations", verbose_name=_("month"))
    amount = models.PositiveIntegerField(_("amount (VND)"))

    class Meta:
        verbose_name = _("part of a payment")
        verbose_name_plural = _("parts of payments")
        constraints = [models.UniqueConstraint(fields=["payment", "entry"], name="dues_allocation_unique")]

    def __str__(self):
        return f"{self.entry}: {self.amount}"


class DuesCorrection(models.Model):
    """A stored amount of the dues book changed after the fact: who, when, old and new, why."""

    class Field(models.TextChoices):
        DUE = "due", _("Amount due")
        PAID = "paid", _("Amount paid")

    entry = models.ForeignKey(DuesEntry, models.CASCADE, related_name="corrections", verbose_name=_("month"))
    field = models.CharField(_("what was corrected"), max_length=10, choices=Field.choices)
    old_value = models.PositiveIntegerField(_("before"))
    new_value = models.PositiveIntegerField(_("after"))
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues correction")
        verbose_name_plural = _("dues corrections")
        ordering = ["entry", "at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="dues_correction_reason")]

    def __str__(self):
        return f"{self.entry} {self.field}: {self.old_value} → {self.new_value}"


class DuesReport(models.Model):
    """The cell's month of dues reported to the committee above: totals frozen when sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")

    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="dues_reports", verbose_name=_("cell"))
    month = models.DateField(_("month"))
    due = models.PositiveBigIntegerField(_("due (VND)"), default=0)
    collected = models.PositiveBigIntegerField(_("collected (VND)"), default=0)
    share_percent = models.DecimalField(_("share kept by the cell (%)"), max_digits=5, decimal_places=2, default=0)
    kept = models.PositiveBigIntegerField(_("kept by the cell (VND)"), default=0)
    passed_up = models.PositiveBigIntegerField(_("passed up (VND)"), default=0)
    members_due = models.PositiveIntegerField(_("members owing dues"), default=0)
    members_paid = models.PositiveIntegerField(_("members who paid"), default=0)
    members_in_arrears = models.PositiveIntegerField(_("members in arrears"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dues report")
        verbose_name_plural = _("dues reports")
        ordering = ["cell", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "month"], name="dues_report_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_report_first_day"),
            models.CheckConstraint(condition=Q(status="draft") | Q(sent_at__isnull=False), name="dues_report_sent_at"),
            models.CheckConstraint(
                condition=~Q(status="received") | Q(received_at__isnull=False), name="dues_report_received_at"
            ),
        ]

    def __str__(self):
        return f"{self.cell} {self.month:%m/%Y}"
