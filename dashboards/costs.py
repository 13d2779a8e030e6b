"""What reaching the members cost: messages the providers took, by channel, with their price (SMS segments and
Zalo messages; e-mail is free), for a unit over a period, summed over the cells below it."""

from django.conf import settings
from django.db.models import Sum

from notifications.models import SendingCount

CHANNELS = ("zalo", "sms", "email")


def sending_costs(unit, start, end):
    """{"rows": [{channel, messages, units, cost}], "total": đồng} for the months [start, end] of `unit`."""
    counts = SendingCount.objects.filter(month__gte=start, month__lte=end)
    counts = counts.filter(cell=unit) if unit.is_cell else counts.filter(cell__path__startswith=unit.path)
    sums = {row["channel"]: row for row in counts.values("channel").annotate(messages=Sum("messages"),
                                                                            units=Sum("units"))}  # fmt: skip
    prices = {"sms": settings.SMS_PRICE_VND, "zalo": settings.ZALO_PRICE_VND, "email": 0}
    rows = []
    for channel in CHANNELS:
        found = sums.get(channel, {"messages": 0, "units": 0})
        rows.append({"channel": channel, "messages": found["messages"], "units": found["units"],
                     "cost": found["units"] * prices[channel]})  # fmt: skip
    return {"rows": rows, "total": sum(row["cost"] for row in rows)}
