"""Demo dues for `seed_demo`: a year of the dues book in each demo cell, paid month by month, with one member
of Chi bộ thôn Đông three months in arrears (so the removal flag for dues shows) and the monthly reports sent,
the last one left for the demo secretary."""

import random
from datetime import date

from django.db import transaction
from django.utils import timezone

from members.models import Member, OrgUnit

from . import services
from .models import Category, DuesAllocation, DuesEntry, DuesPayment, DuesProfile, DuesRate, DuesReport

ARREARS_CELL = "HY.TH.01"
ARREARS_MONTHS = 3
# (category, declared base) drawn for the demo members: farmers and traders most, a few salaried and retired.
BASES = [(Category.OTHER, None)] * 5 + [
    (Category.SALARIED, 6_200_000),
    (Category.SALARIED, 8_450_000),
    (Category.PENSION, 4_300_000),
    (Category.PENSION, 5_600_000),
    (Category.STUDENT, None),
]


def arrears_member(cell):
    """The demo member three months behind: an ordinary member without a login, not the one who skips
    meetings (meetings/demo.py takes the first such member), so the two flags show on different people."""
    if cell.code != ARREARS_CELL:
        return None
    plain = Member.objects.filter(cell=cell, position=Member.Position.MEMBER, user__isnull=True)
    plain = list(plain.exclude(status=Member.Status.TRANSFERRED).order_by("pk")[:2])
    return plain[1] if len(plain) > 1 else None


@transaction.atomic
def seed_dues(cell, today=None):
    """A year of dues in `cell` (idempotent: a cell whose book has lines is left alone); returns the lines."""
    if DuesEntry.objects.filter(cell=cell).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(f"dues-{cell.code}")
    this_month = services.month_of(today)
    first = services.add_months(this_month, -11)
    if cell.parent and cell.parent.kind == OrgUnit.Kind.COMMUNE and cell.parent.code == "HY.TH":
        # The commune set its own fixed amounts a year ago (the rest of the demo keeps the defaults).
        for category, amount in [(Category.OTHER, 12_000), (Category.STUDENT, 5_000)]:
            DuesRate.objects.get_or_create(
                unit=cell.parent, category=category, valid_from=first,
                defaults={"amount": amount, "note": "Quyết định của Đảng ủy xã"},
            )  # fmt: skip
    members = list(Member.objects.filter(cell=cell).exclude(status=Member.Status.TRANSFERRED).order_by("pk"))
    DuesProfile.objects.bulk_create(
        DuesProfile(member=m, valid_from=date(2020, 1, 1), category=category, base=base)
        for m in members
        for category, base in [rng.choice(BASES)]
    )
    months = [services.add_months(first, i) for i in range(12)]
    services.open_months(cell, months)
    late = arrears_member(cell)
    # Three months over within one calendar year (the removal flag counts a year): the last three, or from
    # January to March last year's October to December.
    end = this_month if this_month.month > ARREARS_MONTHS else date(this_month.year, 1, 1)
    owed = {services.add_months(end, -n) for n in range(1, ARREARS_MONTHS + 1)}
    collector = next((m for m in members if m.position == Member.Position.SECRETARY), None)
    entries = list(DuesEntry.objects.filter(cell=cell).order_by("month", "member_id"))
    payments, paid_entries = [], []
    for entry in entries:
        if entry.due == 0 or entry.month >= this_month:
            continue
        if late and entry.member_id == late.pk and entry.month in owed:
            continue
        paid_on = entry.month.replace(day=rng.randint(3, 12))
        payments.append(DuesPayment(cell=cell, member_id=entry.member_id, amount=entry.due, paid_on=paid_on,
                                    collected_by=collector))  # fmt: skip
        entry.paid, entry.paid_on, entry.collected_by = entry.due, paid_on, collector
        paid_entries.append(entry)
    DuesPayment.objects.bulk_create(payments)
    DuesAllocation.objects.bulk_create(
        DuesAllocation(payment=p, entry=e, amount=e.due) for p, e in zip(payments, paid_entries, strict=True)
    )
    DuesEntry.objects.bulk_update(paid_entries, ["paid", "paid_on", "collected_by"])
    # Every past month reported and received, but the last one: the secretary sends it in the demo.
    secretary = collector.user if collector and collector.user_id else None
    for month in months[:-2]:
        report = services.send_report(cell, month, secretary, today)
        DuesReport.objects.filter(pk=report.pk).update(status=DuesReport.Status.RECEIVED,
                                                       received_at=timezone.now())  # fmt: skip
    return len(entries)
