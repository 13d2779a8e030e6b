"""The period a dashboard covers (a month, a quarter, a year, or chosen months) and the form that picks it."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .counting import add_months, month_of

MAX_CUSTOM_MONTHS = 36
QUARTER_ENDS = (3, 6, 9, 12)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first month
    end: date  # last month (included)

    @property
    def months(self):
        n = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [add_months(self.start, i) for i in range(n)]

    @property
    def label(self):
        if self.kind == "month":
            return _("%(month)02d/%(year)s") % {"month": self.start.month, "year": self.start.year}
        if self.kind == "quarter":
            return _("Quarter %(quarter)s/%(year)s") % {"quarter": (self.start.month + 2) // 3, "year": self.start.year}
        if self.kind == "year":
            return _("Year %(year)s") % {"year": self.start.year}
        return _("%(start)s to %(end)s") % {"start": f"{self.start:%m/%Y}", "end": f"{self.end:%m/%Y}"}

    def query(self):
        if self.kind == "custom":
            return {"period": "custom", "start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        return {"period": self.kind, "month": f"{self.start:%Y-%m}"}

    @classmethod
    def of(cls, kind, month):
        if kind == "month":
            return cls("month", month, month)
        if kind == "quarter":
            start = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
            return cls("quarter", start, add_months(start, 2))
        return cls("year", date(month.year, 1, 1), date(month.year, 12, 1))


class MonthField(forms.CharField):
    """A month written YYYY-MM (what <input type="month"> sends) or MM/YYYY."""

    default_error_messages = {"invalid": _("Give a month as MM/YYYY.")}

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        try:
            if "/" in value:
                month, year = value.split("/")
            else:
                year, month = value.split("-")
            day = date(int(year), int(month), 1)
        except (ValueError, TypeError, OverflowError):  # OverflowError: a year of twenty digits
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day


class PeriodForm(forms.Form):
    KINDS = [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")), ("custom", _("Months from … to …"))]

    period = forms.ChoiceField(label=_("Period"), choices=KINDS, required=False)
    month = MonthField(label=_("Month"), required=False)
    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give the first and the last month."))
            if end < start:
                raise forms.ValidationError(_("The last month comes before the first."))
            if (end.year - start.year) * 12 + end.month - start.month >= MAX_CUSTOM_MONTHS:
                raise forms.ValidationError(_("A period can cover at most %(n)s months.") % {"n": MAX_CUSTOM_MONTHS})
        return data

    def period_or_default(self, today):
        """The chosen period, or else the year of the month just over: this year so far, and in January the
        year just ended, whose December and fourth quarter would otherwise drop out of sight on 1 January
        (no month of the new year is over yet)."""
        this_month = month_of(today)
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            if data.get("period") == "custom":
                return Period("custom", data["start"], data["end"])
            if data.get("period"):
                return Period.of(data["period"], data.get("month") or this_month)
        return Period.of("year", add_months(this_month, -1))
