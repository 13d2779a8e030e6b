"""The forms of meetings: planning, moving and calling off, schedule rules, topics, agenda, documents,
guidance and replies."""

from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Member

from .documents import validate_document
from .models import (
    AgendaItem,
    Document,
    Guidance,
    Invitation,
    Meeting,
    ScheduleRule,
    ThematicTopic,
    held_together,
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


# Meetings are planned from a year back (recording one held earlier) to five years ahead.
PLAN_PAST, PLAN_FUTURE = timedelta(days=366), timedelta(days=5 * 366)


def check_planned(starts_at):
    now = timezone.now()
    if starts_at < now - PLAN_PAST:
        raise forms.ValidationError(_("This date is more than a year ago."))
    if starts_at > now + PLAN_FUTURE:
        raise forms.ValidationError(_("This date is more than five years ahead."))


class WhenMixin(forms.Form):
    """A date (dd/mm/yyyy) and a time, read in Vietnam's time zone."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())

    def starts_at(self):
        return timezone.make_aware(datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))


def _cell_members(cell):
    return Member.objects.filter(cell=cell, status=Member.Status.ACTIVE)


class MeetingForm(forms.ModelForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    # Shown (a box to tick) only when the month already has a regular meeting of the cell.
    second_regular = forms.BooleanField(
        label=_("Plan it anyway: the cell holds two regular meetings this month"), required=False,
        widget=forms.HiddenInput,
    )  # fmt: skip

    class Meta:
        model = Meeting
        fields = ["kind", "title", "date", "time", "duration_minutes", "place", "chair", "minute_taker"]

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cell = cell
        self.fields["chair"].queryset = _cell_members(cell)
        self.fields["minute_taker"].queryset = _cell_members(cell)
        self.fields["title"].help_text = _("Leave empty for the usual title, e.g. “Regular meeting, 11/2026”.")
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.update(date=local.date(), time=local.time())
            # Moving goes through "Move", which tells the members.
            if self.instance.invited_at:
                for name in ("date", "time"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Use “Move” to change the time: members are told.")

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time") and not self.fields["date"].disabled:
            starts_at = timezone.make_aware(datetime.combine(data["date"], data["time"]))
            if starts_at != self.instance.starts_at:
                try:
                    check_planned(starts_at)
                except forms.ValidationError as exc:
                    self.add_error("date", exc)
            self.instance.starts_at = starts_at
        kind, duration = data.get("kind"), data.get("duration_minutes")
        checked = self.instance.starts_at and "date" not in self.errors  # a date refused (year 9999) is not looked up
        if kind == Meeting.Kind.REGULAR and checked and not data.get("second_regular"):
            other = self.other_regular_in_month()
            if other is not None:
                self.fields["second_regular"].widget = forms.CheckboxInput()
                self.add_error(
                    "second_regular",
                    _("The cell already has a regular meeting this month, on %(date)s. A thematic meeting is planned "
                      "as “Thematic”; tick the box only for a second regular meeting.")
                    % {"date": date_format(timezone.localtime(other.starts_at), "d/m/Y")},
                )  # fmt: skip
        if kind in (Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC) and duration:
            # Held the same day as the meeting of the other kind, the two last MEETING_MIN_MINUTES_COMBINED
            # together (domain §2); alone, MEETING_MIN_MINUTES.
            other = (
                held_together(self.instance.cell_id, kind, self.instance.starts_at, exclude=self.instance.pk)
                if checked
                else None
            )
            if other is not None and duration + other.duration_minutes < Meeting.min_minutes(together=True):
                self.add_error(
                    "duration_minutes",
                    _("Held the same day as the %(other)s of %(other_minutes)s minutes, this meeting lasts at least "
                      "%(minutes)s minutes: the two last at least %(together)s minutes together.")
                    % {"other": other.get_kind_display().lower(), "other_minutes": other.duration_minutes,
                       "minutes": Meeting.min_minutes(together=True) - other.duration_minutes,
                       "together": Meeting.min_minutes(together=True)},
                )  # fmt: skip
            elif other is None and duration < settings.MEETING_MIN_MINUTES:
                self.add_error(
                    "duration_minutes",
                    _("A cell meeting lasts at least %(minutes)s minutes.") % {"minutes": settings.MEETING_MIN_MINUTES},
                )
        return data

    def other_regular_in_month(self):
        local = timezone.localtime(self.instance.starts_at)
        return (
            Meeting.objects.regular()
            .not_cancelled()
            .filter(cell=self.instance.cell)
            .in_month(local.year, local.month)
            .exclude(pk=self.instance.pk)
            .order_by("starts_at")
            .first()
        )


class MoveForm(WhenMixin):
    reason = forms.CharField(label=_("Reason (members are told)"), max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            if self.starts_at() <= timezone.now():
                raise forms.ValidationError(_("The new time must be in the future."))
            check_planned(self.starts_at())
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (members are told)"), max_length=300)


class ScheduleRuleForm(forms.ModelForm):
    class Meta:
        model = ScheduleRule
        fields = ["mode", "day", "nth", "weekday", "time", "weekend", "duration_minutes", "place",
                  "committee_days_before"]  # fmt: skip
        widgets = {"time": TimeInput()}

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not 1 <= day <= 31:
            raise forms.ValidationError(_("Choose a day between 1 and 31."))
        return day

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if minutes < settings.MEETING_MIN_MINUTES:
            raise forms.ValidationError(
                _("A cell meeting lasts at least %(minutes)s minutes.") % {"minutes": settings.MEETING_MIN_MINUTES}
            )
        return minutes

    def clean_committee_days_before(self):
        days = self.cleaned_data["committee_days_before"]
        if days > 20:
            raise forms.ValidationError(_("At most 20 days before."))
        return days


class PlanYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class TopicForm(forms.ModelForm):
    class Meta:
        model = ThematicTopic
        fields = ["year", "quarter", "title", "drafter", "draft"]

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cell = cell
        self.fields["drafter"].queryset = _cell_members(cell)
        self.fields["year"].min_value = 2000

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year between 2000 and 2100."))
        return year

    def clean_draft(self):
        draft = self.cleaned_data.get("draft")
        if draft and hasattr(draft, "content_type"):  # a new upload
            validate_document(draft)
        return draft


# The most rows one page may send (the minutes' formsets have theirs in minutes/forms.py); far beyond any
# real cell's meeting, and low enough that a forged `*-TOTAL_FORMS=100000` is refused at once instead of
# holding a worker while thousands of forms are built.
MAX_AGENDA_ITEMS = 50
TOO_MANY_ROWS = {"too_many_forms": _("Too many rows: at most %(num)s can be saved at once.")}


def bounded(limit):
    """Formset options that build at most `limit` forms whatever the management form says, and refuse more."""
    return {"max_num": limit, "absolute_max": limit, "validate_max": True}


class BoundedModelFormSet(forms.BaseModelFormSet):
    default_error_messages = TOO_MANY_ROWS


class BoundedInlineFormSet(forms.BaseInlineFormSet):
    default_error_messages = TOO_MANY_ROWS


AgendaFormSet = forms.modelformset_factory(
    AgendaItem, formset=BoundedModelFormSet, fields=["section", "order", "title", "notes"], extra=2,
    can_delete=True, **bounded(MAX_AGENDA_ITEMS),
    widgets={"notes": forms.Textarea(attrs={"rows": 2}), "order": forms.NumberInput(attrs={"style": "width: 6em"})},
)  # fmt: skip


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "agenda_item", "file"]

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        self.fields["agenda_item"].required = False
        self.fields["file"].help_text = _("PDF, Word (.docx), Excel (.xlsx), JPEG or PNG; at most %(limit)s MB.") % {
            "limit": settings.DOCUMENT_MAX_BYTES // 1048576
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_document(upload)
        return upload


class GuidanceForm(forms.ModelForm):
    class Meta:
        model = Guidance
        fields = ["month", "title", "body", "file"]
        widgets = {"month": DateInput(), "body": forms.Textarea(attrs={"rows": 6})}

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            validate_document(upload)
        return upload


class RecordReplyForm(forms.Form):
    """A reply given by phone or in person, recorded by the secretary."""

    CHOICES = [(Invitation.Reply.YES, _("Will attend")), (Invitation.Reply.NO, _("Cannot attend"))]
    VIA = [("phone", _("Phone call")), ("person", _("In person"))]
    answer = forms.ChoiceField(label=_("Reply"), choices=CHOICES)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    via = forms.ChoiceField(label=_("Given by"), choices=VIA, initial="phone")

    def clean(self):
        data = super().clean()
        if data.get("answer") == Invitation.Reply.NO and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason the member cannot attend."))
        return data


class ReplyForm(forms.Form):
    CHOICES = [(Invitation.Reply.YES, _("I will attend")), (Invitation.Reply.NO, _("I cannot attend"))]
    answer = forms.ChoiceField(choices=CHOICES)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == Invitation.Reply.NO and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give the reason you cannot attend."))
        return data
