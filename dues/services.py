"""The dues workflows (domain §11): which rate and basis apply, opening months in the dues book, payments
spread over months, corrections, exemptions, the month's report to the committee above, and what the meetings
and the removal flag read from the book.

Every write runs in a transaction and leaves its history: a payment its allocations, a change of a stored
amount its `DuesCorrection`.
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import sql
from chibo.months import add_months, month_of
from members.models import CellMembership, Member, StatusChange

from .models import (
    PERCENT_CATEGORIES,
    Category,
    DuesAllocation,
    DuesCorrection,
    DuesEntry,
    DuesExemption,
    DuesPayment,
    DuesProfile,
    DuesRate,
    DuesReport,
)

# --- months -----------------------------------------------------------------------------------------------


def months_of_year(year, through=None):
    """The months of `year`, up to `through` (a month) when given."""
    months = [date(year, m, 1) for m in range(1, 13)]
    return [m for m in months if through is None or m <= through]


# --- rates and amounts ------------------------------------------------------------------------------------


def default_rate(category):
    """(percent, amount) from the settings, used where no committee above has set a rate."""
    if category == Category.SALARIED:
        return Decimal(str(settings.DUES_PERCENT_SALARIED)), None
    if category == Category.PENSION:
        return Decimal(str(settings.DUES_PERCENT_PENSION)), None
    if category == Category.STUDENT:
        return None, settings.DUES_FIXED_STUDENT
    return None, settings.DUES_FIXED_OTHER


def rates_above(cell):
    """The rates set by the units above `cell`, nearest unit first, newest first (one query)."""
    rates = DuesRate.objects.filter(unit__path__in=cell.ancestor_paths()[:-1]).select_related("unit")
    return sorted(rates, key=lambda r: (-r.unit.depth, r.category, -r.valid_from.toordinal()))


def applicable_rate(cell, category, month, rates=None):
    """The rate for `category` in `month`: the newest one set by the nearest unit above the cell that set one
    (valid by then), or None when the settings' default applies."""
    for rate in rates_above(cell) if rates is None else rates:
        if rate.category == category and rate.valid_from <= month:
            return rate
    return None


def amount_for(percent, amount, base):
    """The month's amount: a fixed amount, or the percentage of the declared base rounded to DUES_ROUND_TO."""
    if percent is None:
        return amount or 0
    if not base:
        return 0
    step = Decimal(max(settings.DUES_ROUND_TO, 1))
    exact = Decimal(base) * percent / 100
    return int((exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def profile_for(profiles, month):
    """The member's basis in `month` from their profile rows (newest first), or None when none is declared."""
    for profile in profiles:
        if profile.valid_from <= month:
            return profile
    return None


def pays_here(member, profile, status=None):
    """Whether the member's dues are due in the cell they are recorded in (domain §11, a setting), with their
    activity status `status` (that of the month; the present one when not given)."""
    status = status or member.status
    if status == Member.Status.TRANSFERRED:
        return False
    if status not in (Member.Status.AWAY, Member.Status.VISITING):
        return True
    choice = profile.away_pays if profile else ""
    at_home = settings.DUES_AWAY_PAY_AT_HOME_CELL if not choice else choice == DuesProfile.AwayPays.HOME
    return at_home if status == Member.Status.AWAY else not at_home


def _statuses_by_month(members, months):
    """{(member id, month): activity status on the month's first day} from the status history (one query);
    a member without history keeps their present status."""
    history = defaultdict(list)
    changes = StatusChange.objects.filter(member__in=members, since__lte=max(months)).order_by("since", "pk")
    for member_id, since, status in changes.values_list("member_id", "since", "status"):
        history[member_id].append((since, status))
    found = {}
    for member in members:
        for month in months:
            status = member.status
            for since, changed in history.get(member.pk, []):
                if since > month:
                    break
                status = changed
            found[member.pk, month] = status
    return found


def new_entry(cell, member, month, profiles, exemptions, rates):
    """The unsaved book line of `member` × `month`, its amount computed now and kept from then on."""
    profile = profile_for(profiles, month)
    category = profile.category if profile else Category.OTHER
    base = profile.base if profile and category in PERCENT_CATEGORIES else None
    rate = applicable_rate(cell, category, month, rates)
    percent, amount = (rate.percent, rate.amount) if rate else default_rate(category)
    exemption = next((e for e in exemptions if e.covers(month)), None)
    due = 0 if exemption else amount_for(percent, amount, base)
    return DuesEntry(cell=cell, member=member, month=month, category=category, base=base, percent=percent,
                     rate=rate, exemption=exemption, due=due)  # fmt: skip


def open_months(cell, months, members=None, since_joined=False):
    """Create the book lines of `months` missing for the cell's members who pay here; returns how many.

    Idempotent: a line once opened is never recomputed (a later rate or basis changes only months opened
    later). A member's months before their admission are not opened; with `since_joined` (the book opening
    the months by itself), nor those before their present stay in the cell or before they were entered in
    Chibo: a member who came from another cell, or whose record was entered in October, owes this book
    nothing for January to September (those months come in through a payment for them, or the import)."""
    months = sorted(set(months))
    if not months:
        return 0
    if members is None:
        members = Member.objects.filter(cell=cell).exclude(status=Member.Status.TRANSFERRED)
    members = list(
        Member.objects.filter(pk__in=[m.pk for m in members] if isinstance(members, list) else members)
        .filter(cell=cell)
        .prefetch_related("dues_profiles", "dues_exemptions")
    )
    existing = set(DuesEntry.objects.filter(member__in=members, month__in=months).values_list("member_id", "month"))
    first = {member.pk: month_of(member.admitted_on) for member in members}
    if since_joined:
        stays = CellMembership.objects.filter(member__in=members, cell=cell, ended_on__isnull=True)
        for member_id, started_on in stays.values_list("member_id", "started_on"):
            first[member_id] = max(first[member_id], month_of(started_on))
        for member in members:
            first[member.pk] = max(first[member.pk], month_of(timezone.localtime(member.created_at).date()))
    rates = rates_above(cell)
    statuses = _statuses_by_month(members, months)
    lines = []
    for member in members:
        profiles = sorted(member.dues_profiles.all(), key=lambda p: p.valid_from, reverse=True)
        for month in months:
            if (member.pk, month) in existing or month < first[member.pk]:
                continue
            if not pays_here(member, profile_for(profiles, month), statuses[member.pk, month]):
                continue
            lines.append(new_entry(cell, member, month, profiles, list(member.dues_exemptions.all()), rates))
    DuesEntry.objects.bulk_create(lines, ignore_conflicts=True)
    return len(lines)


# --- the book ---------------------------------------------------------------------------------------------


def book(cell, year, today):
    """The cell's dues book for `year`: one row per member (their 12 months, due, paid, owed), the months'
    totals, and each member's arrears from earlier years.

    Shown for the current year, it first opens the months from the book's start up to the current one (new
    members, a new month). The book starts with its first line: a cell that kept its book on paper starts
    with the month it first opens here, and no month before is invented as arrears (earlier months come in
    through a payment for them, or an import). Other years show what was recorded."""
    this_month = month_of(today)
    if year == today.year:
        start = DuesEntry.objects.filter(cell=cell).order_by().aggregate(first=Min("month"))["first"]
        start = max(start or this_month, date(year, 1, 1))
        open_months(cell, [m for m in months_of_year(year, through=this_month) if m >= start], since_joined=True)
    entries = list(
        DuesEntry.objects.filter(cell=cell, month__year=year).select_related("member").order_by("member__sort_key")
    )
    earlier = dict(
        DuesEntry.objects.filter(cell=cell, month__lt=date(year, 1, 1), paid__lt=F("due"))
        .order_by()
        .values("member_id")
        .annotate(owed=Sum(F("due") - F("paid")))
        .values_list("member_id", "owed")
    )
    rows, by_member = [], {}
    for entry in entries:
        row = by_member.get(entry.member_id)
        if row is None:
            row = by_member[entry.member_id] = {
                "member": entry.member, "months": [None] * 12, "due": 0, "paid": 0, "owed": 0,
                "owed_months": [], "earlier": earlier.get(entry.member_id, 0), "current": None,
            }  # fmt: skip
            rows.append(row)
        row["months"][entry.month.month - 1] = entry
        if entry.month == this_month:
            row["current"] = entry
        row["due"] += entry.due
        row["paid"] += entry.paid
        if entry.is_unpaid and entry.month < this_month:
            row["owed"] += entry.owed
            row["owed_months"].append(entry.month)
    totals = {
        "due": [sum(r["months"][i].due for r in rows if r["months"][i]) for i in range(12)],
        "paid": [sum(r["months"][i].paid for r in rows if r["months"][i]) for i in range(12)],
    }
    totals["all_due"], totals["all_paid"] = sum(totals["due"]), sum(totals["paid"])
    totals["owed"] = sum(r["owed"] + r["earlier"] for r in rows)
    return {"rows": rows, "totals": totals, "year": year, "this_month": this_month}


def _lock(member):
    """The member's row locked: payments, corrections, exemptions and new bases of one member one at a time."""
    Member.objects.select_for_update().filter(pk=member.pk).first()


def unpaid_entries(cell, member):
    return DuesEntry.objects.filter(cell=cell, member=member, paid__lt=F("due")).order_by("month")


# --- payments and corrections -----------------------------------------------------------------------------


@transaction.atomic
def record_payment(cell, member, amount, paid_on, by, collected_by=None, months=None, note=""):
    """Record money handed over by `member` and spread it over months.

    `months` given: over those months, oldest first, each up to what it still owes. None: over the oldest
    arrears first, then the following months of the year in advance. More than is owed is refused."""
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0 đồng."))
    _lock(member)  # one change of a member's dues at a time
    reported = DuesReport.objects.filter(cell=cell, month=month_of(paid_on)).exclude(status=DuesReport.Status.DRAFT)
    if reported.exists():
        # Its money would reach no report: that month's is frozen, and the next counts its own month's money.
        raise ValidationError(
            _("The report of %(month)s is already sent: record the payment with today's date.")
            % {"month": f"{paid_on:%m/%Y}"}
        )
    if months:
        targets = sorted(set(months))
        open_months(cell, targets, members=[member])
        entries = list(DuesEntry.objects.filter(cell=cell, member=member, month__in=targets).order_by("month"))
        if len(entries) < len(targets):
            raise ValidationError(_("Some of the months chosen are not due in this cell for this member."))
    else:
        open_months(cell, [month_of(paid_on)], members=[member])
        entries = list(unpaid_entries(cell, member).filter(month__lte=date(paid_on.year, 12, 1)))
        # What is left after the arrears pays the next months of the year in advance, each opened only when
        # reached: a month opened is fixed, and a rate changed later in the year must still apply to the rest.
        following = add_months(max([month_of(paid_on)] + [e.month for e in entries]), 1)
        while amount > sum(e.owed for e in entries) and following.year == paid_on.year:
            open_months(cell, [following], members=[member])
            entries += list(unpaid_entries(cell, member).filter(month=following))
            following = add_months(following, 1)
    entries = [e for e in entries if e.is_unpaid]
    owed = sum(e.owed for e in entries)
    if months and amount < owed:
        # Months ticked are paid in full: a token sum must not open months the book never held as arrears.
        raise ValidationError(
            _("The months ticked owe %(owed)s đồng: pay them in full, or tick fewer months.") % {"owed": money(owed)}
        )
    if amount > owed:
        raise ValidationError(
            _("%(amount)s đồng is more than the %(owed)s đồng owed for these months.")
            % {"amount": money(amount), "owed": money(owed)}
        )
    payment = DuesPayment.objects.create(cell=cell, member=member, amount=amount, paid_on=paid_on,
                                         collected_by=collected_by, recorded_by=by, note=note)  # fmt: skip
    left = amount
    for entry in entries:
        if not left:
            break
        part = min(entry.owed, left)
        left -= part
        DuesAllocation.objects.create(payment=payment, entry=entry, amount=part)
        DuesEntry.objects.filter(pk=entry.pk).update(paid=F("paid") + part, paid_on=paid_on, collected_by=collected_by)
    return payment


@transaction.atomic
def correct_entry(entry, field, new_value, reason, by):
    """Change the stored amount due or paid of a book line, keeping who, when, before, after and why."""
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the correction."))
    _lock(entry.member)
    entry = DuesEntry.objects.select_for_update().get(pk=entry.pk)
    if field == DuesCorrection.Field.PAID and not 0 <= new_value <= entry.due:
        # Money handed over is recorded as a payment; a correction only mends a paid amount within the due.
        raise ValidationError(_("The amount paid can be corrected only between 0 and the amount due."))
    if field == DuesCorrection.Field.DUE and not entry.paid <= new_value:
        raise ValidationError(_("The amount due cannot be less than what was already paid for the month."))
    old = getattr(entry, field)
    if old == new_value:
        raise ValidationError(_("The new amount is the same as the one recorded."))
    DuesCorrection.objects.create(entry=entry, field=field, old_value=old, new_value=new_value,
                                  reason=reason.strip(), by=by)  # fmt: skip
    setattr(entry, field, new_value)
    entry.save(update_fields=[field])
    return entry


@transaction.atomic
def record_exemption(member, from_month, to_month, reason, by):
    """The cell exempts `member` from dues for these months. Lines already opened are corrected down to what
    was paid on them (0 when nothing was; with the exemption as the correction's reason) and tied to the
    exemption, so that none of them counts toward removal; months opened later are 0 from the start."""
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the exemption."))
    if to_month and to_month < from_month:
        raise ValidationError(_("The last month is before the first."))
    _lock(member)
    exemption = DuesExemption.objects.create(member=member, from_month=from_month, to_month=to_month,
                                             reason=reason.strip(), recorded_by=by)  # fmt: skip
    # Only the member's present cell's book: a cell they left keeps its own lines (and its arrears).
    opened = DuesEntry.objects.filter(member=member, cell=member.cell, month__gte=from_month)
    if to_month:
        opened = opened.filter(month__lte=to_month)
    opened = list(opened)
    why = _("Exempt from dues: %(reason)s") % {"reason": reason}
    for entry in opened:
        if entry.due > entry.paid:
            correct_entry(entry, DuesCorrection.Field.DUE, entry.paid, why, by)
    DuesEntry.objects.filter(pk__in=[e.pk for e in opened]).update(exemption=exemption)
    return exemption


@transaction.atomic
def set_profile(member, valid_from, category, base, by, away_pays="", note="", reprice=False):
    """Record the member's category and declared base from `valid_from` on (replacing a row of the same month).

    `reprice`: the months already opened from then on and not yet paid get the new amount, each through a
    correction; otherwise only months opened later use it."""
    if category in PERCENT_CATEGORIES and not base:
        raise ValidationError(_("Declare the monthly base for a member who pays a percentage."))
    _lock(member)
    profile, _created = DuesProfile.objects.update_or_create(
        member=member, valid_from=valid_from,
        defaults={"category": category, "base": base if category in PERCENT_CATEGORIES else None,
                  "away_pays": away_pays, "note": note, "recorded_by": by},
    )  # fmt: skip
    if reprice:
        profiles = list(member.dues_profiles.order_by("-valid_from"))
        exemptions = list(member.dues_exemptions.all())
        lines = DuesEntry.objects.filter(member=member, cell=member.cell, month__gte=valid_from, paid=0)
        for entry in lines.select_related("cell"):
            fresh = new_entry(entry.cell, member, entry.month, profiles, exemptions, rates_above(entry.cell))
            if fresh.due != entry.due:
                correct_entry(entry, DuesCorrection.Field.DUE, fresh.due, _("New dues basis declared"), by)
                DuesEntry.objects.filter(pk=entry.pk).update(category=fresh.category, base=fresh.base,
                                                             percent=fresh.percent, rate=fresh.rate)  # fmt: skip
    return profile


def set_rate(unit, category, valid_from, by, percent=None, amount=None, note=""):
    """A committee sets a category's rate for the cells below it from `valid_from` (months already opened keep
    their amounts)."""
    if (percent is None) == (amount is None):
        raise ValidationError(_("Give either a percentage or a fixed amount."))
    rate, _created = DuesRate.objects.update_or_create(
        unit=unit, category=category, valid_from=valid_from,
        defaults={"percent": percent, "amount": amount, "note": note, "recorded_by": by},
    )  # fmt: skip
    return rate


# --- the month's report -----------------------------------------------------------------------------------


def cell_share_percent(cell):
    by_kind = settings.DUES_CELL_SHARE_BY_PARENT_KIND
    parent_kind = cell.parent.kind if cell.parent_id else None
    return Decimal(str(by_kind.get(parent_kind, settings.DUES_CELL_SHARE_PERCENT)))


def report_totals(cell, month):
    """The month's figures: due, collected (money handed over during the month), the shares, members."""
    entries = list(DuesEntry.objects.filter(cell=cell, month=month, due__gt=0).order_by().values_list("due", "paid"))
    collected = DuesPayment.objects.filter(cell=cell, paid_on__year=month.year,
                                           paid_on__month=month.month).aggregate(s=Sum("amount"))["s"] or 0  # fmt: skip
    in_arrears = (
        DuesEntry.objects.filter(cell=cell, month__lt=month, paid__lt=F("due")).values("member_id").distinct().count()
    )
    share = cell_share_percent(cell)
    kept = int((Decimal(collected) * share / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return {
        "due": sum(d for d, _p in entries),
        "collected": collected,
        "share_percent": share,
        "kept": kept,
        "passed_up": collected - kept,
        "members_due": len(entries),
        "members_paid": sum(1 for d, p in entries if p >= d),
        "members_in_arrears": in_arrears,
    }


def report_for(cell, month):
    """The month's report: the stored one once sent, else a draft with the figures as they are now."""
    report = DuesReport.objects.filter(cell=cell, month=month).select_related("sent_by", "received_by").first()
    if report is None:
        report = DuesReport(cell=cell, month=month)
    if report.status == DuesReport.Status.DRAFT:
        for name, value in report_totals(cell, month).items():
            setattr(report, name, value)
    return report


class ReportError(ValidationError):
    pass


@transaction.atomic
def send_report(cell, month, by, today=None):
    """The secretary sends the month's report up: its figures are frozen as they are now."""
    today = today or timezone.localdate()
    if month >= month_of(today):
        # Its payments are not all in yet: a report sent now would leave out the rest of the month's money.
        raise ReportError(_("A month's report is sent once the month is over."))
    report, _created = DuesReport.objects.select_for_update().get_or_create(cell=cell, month=month)
    if report.status != DuesReport.Status.DRAFT:
        raise ReportError(_("This month's report has already been sent."))
    for name, value in report_totals(cell, month).items():
        setattr(report, name, value)
    report.status, report.sent_by, report.sent_at = DuesReport.Status.SENT, by, timezone.now()
    report.save()
    return report


@transaction.atomic
def receive_report(cell, month, by):
    """The committee above marks the report received."""
    report = DuesReport.objects.select_for_update().filter(cell=cell, month=month).first()
    if report is None or report.status != DuesReport.Status.SENT:
        raise ReportError(_("Only a report that was sent can be marked received."))
    report.status, report.received_by, report.received_at = DuesReport.Status.RECEIVED, by, timezone.now()
    report.save(update_fields=["status", "received_by", "received_at"])
    return report


def unsent_reports(cells, today):
    """[(cell, [months])] of the cells whose reports of the last twelve months over were not sent (two queries):
    in January, December's and November's are still listed.

    A month is reported once over: its report is expected from the month after. A cell's months before its
    first dues book line are not expected either."""
    cells = list(cells)
    this_month = month_of(today)
    past = [add_months(this_month, -n) for n in range(12, 0, -1)]
    sent = set(
        DuesReport.objects.filter(cell__in=cells, month__in=past)
        .exclude(status=DuesReport.Status.DRAFT)
        .values_list("cell_id", "month")
    )
    started = dict(
        DuesEntry.objects.filter(cell__in=cells)
        .order_by()
        .values("cell_id")
        .annotate(m=Min("month"))
        .values_list("cell_id", "m")
    )
    result = []
    for cell in cells:
        first = started.get(cell.pk)
        missing = [m for m in past if first is not None and m >= first and (cell.pk, m) not in sent]
        if missing:
            result.append((cell, missing))
    return result


# --- what the meetings and the removal flag read ----------------------------------------------------------


def month_summary(cell, month):
    """The dues report at the opening of a regular meeting: money collected during `month`, how many paid the
    month's dues, and the members still owing earlier months (by name, with those months). Reads the book in
    two queries written out (the minutes' PDF and page read this: Django took longer to build the two than
    the database to run them, issue 17): the money, and the month's lines with the earlier months' unpaid
    ones. Opens nothing."""
    using = DuesEntry.objects.db
    collected = sql.one_row(
        f"SELECT SUM(amount) FROM {DuesPayment._meta.db_table} WHERE cell_id = %s AND paid_on >= %s AND paid_on < %s",
        [cell.pk, month, add_months(month, 1)],
        using,
    )[0]
    as_month = sql.as_read(DuesEntry._meta.get_field("month"), using)
    lines, arrears, names = [], defaultdict(list), {}
    for member_id, name, entry_month, due, paid in sql.rows(
        f"""SELECT e.member_id, m.full_name, e.month, e.due, e.paid
              FROM {DuesEntry._meta.db_table} e JOIN {Member._meta.db_table} m ON m.id = e.member_id
             WHERE e.cell_id = %s AND ((e.month = %s AND e.due > 0) OR (e.month < %s AND e.paid < e.due))
             ORDER BY m.sort_key, e.month""",
        [cell.pk, month, month],
        using,
    ):
        entry_month = as_month(entry_month)
        if entry_month == month:
            lines.append((due, paid))
        else:
            arrears[member_id].append(entry_month)
            names[member_id] = name
    return {
        "month": month,
        "collected": collected or 0,
        "members_due": len(lines),
        "members_paid": sum(1 for due, paid in lines if paid >= due),
        "arrears": [{"member": names[pk], "months": months} for pk, months in arrears.items()],
    }


def removal_entries(today):
    """The dues book's lines of months already over with dues due, not fully paid and not exempt: the months
    that count toward removal (domain §3, §11)."""
    return DuesEntry.objects.filter(month__lt=month_of(today), due__gt=0, paid__lt=F("due"), exemption__isnull=True)


def unpaid_month_counts(member_ids, years, today):
    """{(member id, year): (cell id, months unpaid)} for the dashboards' member years (one query); the cell is
    the book's of the member's latest unpaid month. `member_ids` None: every member."""
    entries = removal_entries(today).filter(month__year__in=sorted(years))
    if member_ids is not None:
        entries = entries.filter(member_id__in=member_ids)
    found = {}
    for member_id, cell_id, month in entries.order_by("month").values_list("member_id", "cell_id", "month"):
        _cell, count = found.get((member_id, month.year), (cell_id, 0))
        found[member_id, month.year] = (cell_id, count + 1)
    return found


def unpaid_months(members, year, today):
    """{member id: [months]} of the months of `year` (those already over) with dues due in the book, not
    fully paid and not exempt (one query)."""
    rows = (
        removal_entries(today)
        .filter(member__in=members, month__year=year)
        .order_by("month")
        .values_list("member_id", "month")
    )
    found = defaultdict(list)
    for member_id, month in rows:
        found[member_id].append(month)
    return dict(found)


def months_unpaid_without_reason(member, year, today=None):
    """The months of `year` with dues due and not paid and no exemption from dues (for the removal flag)."""
    return unpaid_months([member.pk], year, today or timezone.localdate()).get(member.pk, [])


def removal_flags(members, year, today):
    """{member id: [months]} of those with ≥ REMOVAL_MONTHS months of unpaid dues without a reason in `year`."""
    return {pk: months for pk, months in unpaid_months(members, year, today).items()
            if len(months) >= settings.REMOVAL_MONTHS}  # fmt: skip


def money(amount):
    """12.345 đồng the Vietnamese way (dot for thousands)."""
    return f"{amount:,}".replace(",", ".")
