from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Member
from resolutions.models import Vote

from .documents import validate_document
from .models import (
    AgendaItem,
    Contribution,
    Document,
    Guidance,
    Invitation,
    Meeting,
    Minutes,
    MinutesSection,
    MinutesTask,
    ScheduleRule,
    ThematicTopic,
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
        if (
            kind in (Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC)
            and duration
            and duration < settings.MEETING_MIN_MINUTES
        ):
            self.add_error(
                "duration_minutes",
                _("A cell meeting lasts at least %(minutes)s minutes.") % {"minutes": settings.MEETING_MIN_MINUTES},
            )
        return data


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


# The most rows one page may send; far beyond any real cell's meeting, and low enough that a forged
# `*-TOTAL_FORMS=100000` is refused at once instead of holding a worker while thousands of forms are built.
MAX_AGENDA_ITEMS = 50
MAX_SECTIONS = 50
MAX_CONTRIBUTIONS = 200
MAX_TASKS = 100
MAX_VOTES = 50
TOO_MANY_ROWS = {"too_many_forms": _("Too many rows: at most %(num)s can be saved at once.")}


def _bounded(limit):
    """Formset options that build at most `limit` forms whatever the management form says, and refuse more."""
    return {"max_num": limit, "absolute_max": limit, "validate_max": True}


class BoundedModelFormSet(forms.BaseModelFormSet):
    default_error_messages = TOO_MANY_ROWS


class BoundedInlineFormSet(forms.BaseInlineFormSet):
    default_error_messages = TOO_MANY_ROWS


AgendaFormSet = forms.modelformset_factory(
    AgendaItem, formset=BoundedModelFormSet, fields=["section", "order", "title", "notes"], extra=2,
    can_delete=True, **_bounded(MAX_AGENDA_ITEMS),
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


class ReplyForm(forms.Form):
    CHOICES = [(Invitation.Reply.YES, _("I will attend")), (Invitation.Reply.NO, _("I cannot attend"))]
    answer = forms.ChoiceField(choices=CHOICES)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == Invitation.Reply.NO and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give the reason you cannot attend."))
        return data


class MinutesForm(forms.ModelForm):
    """The header and free-text parts of the minutes; `version` is the one the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Started at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ended at"), widget=TimeInput())

    class Meta:
        model = Minutes
        fields = ["date", "start_time", "end_time", "place", "chair", "chair_title", "minute_taker", "guests",
                  "praise_criticism", "conclusion"]  # fmt: skip
        widgets = {
            "guests": forms.Textarea(attrs={"rows": 2}),
            "praise_criticism": forms.Textarea(attrs={"rows": 4}),
            "conclusion": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, can_set_chair=True, **kwargs):
        super().__init__(*args, **kwargs)
        cell = self.instance.meeting.cell
        self.fields["chair"].queryset = Member.objects.filter(cell=cell).on_roll()
        if not can_set_chair:
            # Who chairs is the committee's decision, and the chair signs: a minute-taker sees it, and a
            # posted value is ignored (a disabled field keeps its initial value).
            self.fields["chair"].disabled = True
            self.fields["chair"].help_text = _("Chosen by the cell committee.")
        self.fields["minute_taker"].queryset = Member.objects.filter(cell=cell).on_roll()
        started = timezone.localtime(self.instance.started_at or self.instance.meeting.starts_at)
        ended = timezone.localtime(self.instance.ended_at or self.instance.meeting.ends_at)
        self.initial.setdefault("date", started.date())
        self.initial.setdefault("start_time", started.time().replace(second=0, microsecond=0))
        self.initial.setdefault("end_time", ended.time().replace(second=0, microsecond=0))
        self.initial.setdefault("version", self.instance.version)

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start_time") and data.get("end_time"):
            meeting_day = timezone.localtime(self.instance.meeting.starts_at).date()
            if abs((data["date"] - meeting_day).days) > 3:
                self.add_error("date", _("The minutes' date must be within three days of the meeting's."))
                return data
            started = timezone.make_aware(datetime.combine(data["date"], data["start_time"]))
            ended = timezone.make_aware(datetime.combine(data["date"], data["end_time"]))
            if ended <= started:
                ended += timedelta(days=1)  # a meeting past midnight
            if ended - started > timedelta(hours=12):
                self.add_error("end_time", _("A meeting of more than 12 hours? Check the times."))
            self.instance.started_at, self.instance.ended_at = started, ended
        return data


class CellMemberInlineFormSet(BoundedInlineFormSet):
    """Only the cell's own members can be named."""

    member_fields = ("member",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = Member.objects.filter(cell=self.instance.meeting.cell)
        for form in self.forms:
            for name in self.member_fields:
                form.fields[name].queryset = members


SectionFormSet = forms.inlineformset_factory(
    Minutes, MinutesSection, formset=BoundedInlineFormSet, fields=["order", "heading", "text"], extra=1,
    can_delete=True, **_bounded(MAX_SECTIONS),
    widgets={"text": forms.Textarea(attrs={"rows": 4}), "order": forms.NumberInput(attrs={"style": "width: 6em"})},
)  # fmt: skip
ContributionFormSet = forms.inlineformset_factory(
    Minutes, Contribution, formset=CellMemberInlineFormSet, fields=["member", "summary"], extra=2, can_delete=True,
    **_bounded(MAX_CONTRIBUTIONS), widgets={"summary": forms.Textarea(attrs={"rows": 2})},
)  # fmt: skip
TaskFormSet = forms.inlineformset_factory(
    Minutes, MinutesTask, formset=CellMemberInlineFormSet, fields=["member", "description", "deadline"], extra=1,
    can_delete=True, **_bounded(MAX_TASKS), widgets={"deadline": DateInput()},
)  # fmt: skip


class BaseVoteFormSet(BoundedInlineFormSet):
    def __init__(self, *args, voters, base, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters, self.base = voters, base

    def clean(self):
        super().clean()
        for form in self.forms:
            adopted = form.instance.pk and form.instance.resolutions.exists()
            if adopted and (self._should_delete_form(form) or form.has_changed()):
                form.add_error(None, _("A resolution rests on this vote: it can no longer be changed or removed."))
                continue
            if (not form.has_changed() and not form.instance.pk) or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            counts = [data.get("votes_for"), data.get("votes_against"), data.get("votes_other")]
            if None in counts:
                continue
            if sum(counts) > self.voters:
                form.add_error(
                    None,
                    _("%(votes)s votes, but only %(voters)s official members were present to vote.")
                    % {"votes": sum(counts), "voters": self.voters},
                )


VoteFormSet = forms.inlineformset_factory(
    Minutes, Vote, formset=BaseVoteFormSet, fields=["subject", "method", "votes_for", "votes_against", "votes_other"],
    extra=1, can_delete=True, **_bounded(MAX_VOTES),
)  # fmt: skip


class QualityForm(forms.Form):
    """The criteria the chair scores; Chibo fills in the others."""

    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
        from .quality import CRITERIA, ENTERED

        labels = {key: label for key, label, _computed, _points in CRITERIA}
        for key in ENTERED:
            if not weights[key]:
                continue  # this committee does not score it
            self.fields[key] = forms.DecimalField(
                label=f"{labels[key]} (/{weights[key]})", min_value=0, max_value=weights[key], decimal_places=1,
                max_digits=4, required=False,
            )  # fmt: skip


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class MinutesSearchForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search the minutes"), required=False, max_length=100)
