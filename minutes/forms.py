"""The forms of the minutes: header and texts, the sections, speakers, tasks and votes formsets, the
chair's quality scores, addenda and the search of the minutes book."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.forms import BoundedInlineFormSet, TimeInput, bounded
from members.forms import DateInput
from members.models import Member

from .models import Contribution, Minutes, MinutesSection, MinutesTask, Vote
from .quality_sheet import CRITERIA, ENTERED

# The most rows one page may send (see meetings/forms.py).
MAX_SECTIONS = 50
MAX_CONTRIBUTIONS = 200
MAX_TASKS = 100
MAX_VOTES = 50


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
    can_delete=True, **bounded(MAX_SECTIONS),
    widgets={"text": forms.Textarea(attrs={"rows": 4}), "order": forms.NumberInput(attrs={"style": "width: 6em"})},
)  # fmt: skip
ContributionFormSet = forms.inlineformset_factory(
    Minutes, Contribution, formset=CellMemberInlineFormSet, fields=["member", "summary"], extra=2, can_delete=True,
    **bounded(MAX_CONTRIBUTIONS), widgets={"summary": forms.Textarea(attrs={"rows": 2})},
)  # fmt: skip
TaskFormSet = forms.inlineformset_factory(
    Minutes, MinutesTask, formset=CellMemberInlineFormSet, fields=["member", "description", "deadline"], extra=1,
    can_delete=True, **bounded(MAX_TASKS), widgets={"deadline": DateInput()},
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
    extra=1, can_delete=True, **bounded(MAX_VOTES),
)  # fmt: skip


class QualityForm(forms.Form):
    """The criteria the chair scores; Chibo fills in the others."""

    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
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
