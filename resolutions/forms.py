"""The forms of resolutions: the resolution and its tasks, progress reports, reviews, directives and study."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.documents import DocumentField
from members.forms import DateInput
from members.models import Member
from minutes.models import Vote

from .models import Directive, Resolution, ResolutionReview, Task


class ResolutionForm(forms.ModelForm):
    class Meta:
        model = Resolution
        fields = ["kind", "title", "vote", "purpose", "tasks_text", "solutions", "checking"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4}) for name in ["purpose", "tasks_text", "solutions", "checking"]
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting, self.instance.cell = meeting, meeting.cell
        self.fields["vote"].queryset = Vote.objects.filter(minutes__meeting=meeting)
        self.fields["vote"].help_text = _("Only a vote that passed lets the resolution be issued.")


class TaskForm(forms.ModelForm):
    # Shown (a box to tick) only for a deadline before the resolution's own date.
    early_deadline = forms.BooleanField(label=_("Keep this deadline, before the resolution's date"), required=False,
                                        widget=forms.HiddenInput)  # fmt: skip

    class Meta:
        model = Task
        fields = ["title", "responsible", "helpers", "deadline", "expected_result"]
        widgets = {"deadline": DateInput(), "helpers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, resolution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.resolution = resolution
        self.resolution = resolution
        members = Member.objects.filter(cell=resolution.cell, status__in=[Member.Status.ACTIVE, Member.Status.VISITING])
        self.fields["responsible"].queryset = members
        self.fields["helpers"].queryset = members

    def clean(self):
        data = super().clean()
        deadline = data.get("deadline")
        dated = self.resolution.issued_on or timezone.localtime(self.resolution.meeting.starts_at).date()
        if deadline and deadline < dated and not data.get("early_deadline"):
            self.fields["early_deadline"].widget = forms.CheckboxInput()
            self.add_error("early_deadline", _("The deadline is before the resolution's date, %(date)s: a slip of the "
                                               "year? Correct it, or tick the box to keep it.")
                           % {"date": dated.strftime("%d/%m/%Y")})  # fmt: skip
        return data


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    evidence = DocumentField(label=_("Evidence (optional)"), required=False)

    def clean(self):
        data = super().clean()
        status, percent = data.get("status"), data.get("percent")
        if status == Task.Status.DONE:
            data["percent"] = 100  # done is 100 %, whatever was left in the box
        elif percent == 100:
            self.add_error(
                "status", _("Progress 100 means the task is done: choose “Done”, or write the progress reached.")
            )
        return data


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label=_("Review"), choices=ResolutionReview.Kind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    conclusions = forms.CharField(label=_("Conclusions"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class DirectiveForm(forms.ModelForm):
    class Meta:
        model = Directive
        fields = ["title", "reference", "study_by"]
        widgets = {"study_by": DateInput()}


class StudySessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    attendees = forms.ModelMultipleChoiceField(label=_("Attended"), queryset=Member.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = Member.objects.filter(cell=cell).on_roll()


class EssayForm(forms.Form):
    file = DocumentField(label=_("Essay (optional)"), required=False)
