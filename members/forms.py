"""The forms of members: login, units, members and their status and transfer, the roll import, password reset."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import phones, services
from .models import TEMPORARY_STATUSES, Member, OrgUnit, TemporaryReason, temporary_until_error


class DateInput(forms.DateInput):
    """dd/mm/yyyy in a plain text box: phones' date pickers are hard for elderly members."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})},
            format="%d/%m/%Y",
        )


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail or username"), max_length=254, widget=forms.TextInput(attrs={"autofocus": True})
    )


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "full_name",
            "gender",
            "birth_date",
            "card_number",
            "admitted_on",
            "official_on",
            "position",
            "email",
            "phone",
            "channels",
            "no_messages",
        ]
        widgets = {"birth_date": DateInput(), "admitted_on": DateInput(), "official_on": DateInput()}

    # What a secretary or deputy may change on their own record (`Access.can_edit_own_contact`).
    CONTACT_FIELDS = ("email", "phone", "channels", "no_messages")

    def __init__(self, *args, cell, access, contact_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cell = cell
        if self.instance.phone and self.initial.get("phone") == self.instance.phone:
            self.initial["phone"] = phones.shown(self.instance.phone)
        if contact_only:
            # Shown but not taken from the post: the rest of their record is for the committee above. The
            # position keeps its own rule below, which says why it cannot change.
            for name, field in self.fields.items():
                field.disabled = name not in (*self.CONTACT_FIELDS, "position")
        # Decided on the member as stored, before the posted values reach the instance.
        self.position_refusals = {
            position: access.position_refusal(self.instance, position) for position in Member.Position
        }
        field = self.fields["position"]
        field.widget.choices = [choice for choice in field.choices if self.position_refusals[choice[0]] is None]

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        return phones.normalise(self.cleaned_data["phone"])

    def clean_position(self):
        position = self.cleaned_data["position"]
        refusal = self.position_refusals.get(position)
        if refusal:
            raise forms.ValidationError(refusal)
        return position


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Member.Status.choices)
    since = forms.DateField(label=_("Since"), widget=DateInput(), initial=timezone.localdate)
    temporary_reason = forms.ChoiceField(
        label=_("Reason for temporary activity"),
        choices=[("", "---------"), *TemporaryReason.choices],
        required=False,
        help_text=_("For a member away on, or here on, temporary activity."),
    )
    temporary_until = forms.DateField(
        label=_("Temporary activity until"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "3 to 12 months for work or residence, up to 2 years for study. To extend it, record the same status "
            "again with the new end."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return since

    def clean(self):
        data = super().clean()
        if data.get("status") not in TEMPORARY_STATUSES:
            data["temporary_reason"], data["temporary_until"] = "", None
            return data
        reason, until, since = data.get("temporary_reason"), data.get("temporary_until"), data.get("since")
        if not reason:
            self.add_error("temporary_reason", _("Say why the member is on temporary activity."))
        if until is None and "temporary_until" not in self.errors:
            self.add_error("temporary_until", _("Say until when the temporary activity lasts."))
        if reason and until and since:
            # Extending (the same status again) counts the limits from when the temporary activity began, not
            # from the extension: extensions one after the other never stretch it past 12 months (2 years).
            extending = self.member is not None and data["status"] == self.member.status
            start = min(since, services.temporary_since(self.member)) if extending else since
            if until <= since:
                self.add_error("temporary_until", _("The temporary activity must end after it begins."))
            elif error := temporary_until_error(reason, start, until):
                self.add_error("temporary_until", error)
        return data


class TransferForm(forms.Form):
    to_cell = forms.ModelChoiceField(label=_("To cell"), queryset=OrgUnit.objects.none())
    on = forms.DateField(label=_("Date of transfer"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cell"].queryset = cells

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return on


class TransferStartForm(forms.Form):
    """A permanent transfer to a cell anywhere in the tree, named by its code: the sending cell does not see the
    other branches, and the member brings the code of their new cell."""

    to_code = forms.CharField(label=_("Code of the receiving cell"), max_length=40)
    requested_on = forms.DateField(label=_("Requested on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_to_code(self):
        code = self.cleaned_data["to_code"].strip()
        cell = OrgUnit.objects.cells().filter(code__iexact=code).first()
        if cell is None:
            raise forms.ValidationError(_("No party cell has this code."))
        self.cleaned_data["to_cell"] = cell
        return code

    def clean_requested_on(self):
        on = self.cleaned_data["requested_on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return on


class TransferStepForm(forms.Form):
    """A step of a transfer on a day: the papers issued, or presented at the new cell."""

    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return on


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list"),
        help_text=_(
            "An Excel file (.xlsx or the older .xls), a CSV file or Excel's “Unicode Text” (.txt), with one member "
            "a row under a header row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.txt,text/csv,text/plain"}),
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["kind", "name", "code", "place_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the kinds that may go below the parent; the model refuses the others, even posted by hand.
        if self.instance.parent_id:
            allowed = OrgUnit.kinds_below(self.instance.parent.kind)
            field = self.fields["kind"]
            field.widget.choices = [choice for choice in field.choices if not choice[0] or choice[0] in allowed]


class PasswordResetForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class MemberFilterForm(forms.Form):
    CATEGORIES = [
        ("", _("All on the roll")),
        ("official", _("Official")),
        ("probationary", _("Probationary")),
        ("exempt", _("Exempt")),
        ("away", _("Away on temporary activity")),
        ("visiting", _("Here on temporary activity")),
        ("suspended", _("Suspended")),
        ("special_duty", _("Armed forces, on special duty")),
        ("prosecuted", _("Prosecuted or detained")),
        ("transferred", _("Transferred out")),
    ]
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORIES, required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
