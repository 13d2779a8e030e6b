"""Dues book lines made directly, as the dues services store them, for the files, import and dashboard tests."""

from datetime import date

from dues.models import Category, DuesAllocation, DuesEntry, DuesPayment


def book_lines(cell, member, year, months, due, paid=None, category=Category.OTHER, base=None, paid_on=None):
    """Open `months` (numbers) of `year` for `member` at `due`; `paid` (a dict month → amount, or one amount
    for every month) is recorded as one payment spread over them."""
    entries = []
    for number in months:
        entries.append(
            DuesEntry.objects.create(
                cell=cell, member=member, month=date(year, number, 1), category=category, base=base, due=due
            )
        )
    amounts = paid if isinstance(paid, dict) else {number: paid for number in months if paid}
    amounts = {number: amount for number, amount in amounts.items() if amount}
    if amounts:
        day = paid_on or date(year, max(amounts), 15)
        payment = DuesPayment.objects.create(cell=cell, member=member, amount=sum(amounts.values()), paid_on=day)
        for entry in entries:
            amount = amounts.get(entry.month.month)
            if amount:
                DuesAllocation.objects.create(payment=payment, entry=entry, amount=amount)
                entry.paid, entry.paid_on = amount, day
                entry.save(update_fields=["paid", "paid_on"])
    return entries


def entered_long_ago(make_member):
    """`make_member` whose members were entered in Chibo in 2000: the book opens a member's months only from
    when their record was entered (`services.open_months(since_joined=True)`)."""
    from datetime import UTC, datetime

    from members.models import Member

    def make(*args, **kwargs):
        member = make_member(*args, **kwargs)
        member.created_at = datetime(2000, 1, 1, tzinfo=UTC)
        Member.objects.filter(pk=member.pk).update(created_at=member.created_at)
        return member

    return make
