import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Member

from .models import PERCENT_CATEGORIES, Category, DuesCorrection, DuesProfile

MONTH_PATTERNS = [re.compile(r"^(?P<m>\d{1,2})[/.-](?P<y>\d{4})$"), re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$")]


class MonthInput(forms.TextInput):
    """mm/yyyy in a plain text box, like the dates."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": "mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs)

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value:%m/%Y}"
        return super().format_value(value)


class MonthField(forms.Field):
    widget = MonthInput
    default_error_messages = {"invalid": _("Write the month as mm/yyyy, e.g. 03/2026.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return date(value.year, value.month, 1)
        for pattern in MONTH_PATTERNS:
            found = pattern.match(str(value).strip())
            if found and 1 <= int(found["m"]) <= 12 and 2000 <= int(found["y"]) <= 2100:
                return date(int(found["y"]), int(found["m"]), 1)
        raise ValidationError(self.error_messages["invalid"], code="invalid")


# The largest amount a dues form takes, in đồng: far above any month's dues or declared salary, and within the
# database's integer columns (a larger one made every view of the book fail).
MAX_AMOUNT = 1_000_000_000


class AmountField(forms.IntegerField):
    """Whole đồng; "50.000" and "50,000" are read as 50000 (the way amounts are written by hand)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", MAX_AMOUNT)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[.,\s]|đ$|đồng$", "", value.strip().lower())
        return super().to_python(value)


def members_choice(cell):
    return Member.objects.filter(cell=cell).exclude(status=Member.Status.TRANSFERRED).order_by("sort_key")


class PaymentForm(forms.Form):
    ARREARS, MONTHS = "arrears", "months"

    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    amount = AmountField(label=_("Amount (đồng)"), min_value=1, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    spread = forms.ChoiceField(
        label=_("For which months"),
        choices=[(ARREARS, _("The oldest unpaid months first")), (MONTHS, _("The months I tick"))],
        initial=ARREARS,
        widget=forms.RadioSelect,
    )
    months = forms.TypedMultipleChoiceField(
        label=_("Months"), required=False, widget=forms.CheckboxSelectMultiple, coerce=lambda v: date.fromisoformat(v)
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    collected_by = forms.ModelChoiceField(label=_("Collected by"), queryset=Member.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, cell, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members_choice(cell)
        self.fields["collected_by"].queryset = members_choice(cell)
        self.fields["months"].choices = [(date(year, m, 1).isoformat(), f"{m:02d}/{year}") for m in range(1, 13)]
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise ValidationError(_("The payment date cannot be in the future."))
        return paid_on

    def clean(self):
        data = super().clean()
        if data.get("spread") == self.MONTHS and not data.get("months"):
            self.add_error("months", _("Tick the months this payment is for."))
        if data.get("spread") != self.MONTHS:
            data["months"] = None
        return data


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("What to correct"), choices=DuesCorrection.Field.choices)
    new_value = AmountField(
        label=_("Correct amount (đồng)"), min_value=0, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ProfileForm(forms.Form):
    valid_from = MonthField(label=_("From month"))
    category = forms.ChoiceField(label=_("Dues category"), choices=Category.choices)
    base = AmountField(
        label=_("Declared monthly base (đồng)"),
        required=False,
        min_value=0,
        help_text=_(
            "Salary and allowances that carry social insurance, or the pension; only for those who pay a percentage."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    away_pays = forms.ChoiceField(
        label=_("While on temporary activity, pays"), choices=DuesProfile.AwayPays.choices, required=False
    )
    reprice = forms.BooleanField(
        label=_("Also change the months already opened and not yet paid (each change is kept with its reason)"),
        required=False,
    )


class ExemptionForm(forms.Form):
    from_month = MonthField(label=_("From month"))
    to_month = MonthField(label=_("To month"), required=False, help_text=_("Empty: until further notice."))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("from_month") and data.get("to_month") and data["to_month"] < data["from_month"]:
            self.add_error("to_month", _("The last month is before the first."))
        return data


class RateForm(forms.Form):
    category = forms.ChoiceField(label=_("Dues category"), choices=Category.choices)
    valid_from = MonthField(label=_("From month"))
    percent = forms.DecimalField(
        label=_("Percent of the base"), required=False, min_value=0, max_value=100, decimal_places=2,
        help_text=_("For members who pay a percentage of their declared base."),
    )  # fmt: skip
    amount = AmountField(
        label=_("Fixed monthly amount (đồng)"), required=False, min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    note = forms.CharField(label=_("Decision or note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        category, percent, amount = data.get("category"), data.get("percent"), data.get("amount")
        if category in PERCENT_CATEGORIES and (percent is None or amount is not None):
            raise ValidationError(_("This category pays a percentage of the base: give the percentage only."))
        if category and category not in PERCENT_CATEGORIES and (amount is None or percent is not None):
            raise ValidationError(_("This category pays a fixed amount: give the amount only."))
        return data
