"""A forged management form cannot make the server build thousands of forms (issue 11)."""

import pytest
from django.urls import reverse

from meetings import forms as meeting_forms
from meetings.models import AgendaItem
from minutes import forms, workflow
from minutes.models import Contribution, Minutes, MinutesSection, MinutesTask, Vote

from .conftest import local
from .test_minutes import edit_data, make_held, post_edit

pytestmark = pytest.mark.django_db

LIMITS = {
    "sections": (forms.MAX_SECTIONS, MinutesSection),
    "contributions": (forms.MAX_CONTRIBUTIONS, Contribution),
    "tasks": (forms.MAX_TASKS, MinutesTask),
    "votes": (forms.MAX_VOTES, Vote),
}


@pytest.fixture
def held(cell, make_member, make_meeting, secretary, member):
    return make_held(cell, make_member, make_meeting, secretary, member)


def assert_refused_on_the_page(response, formset, limit):
    errors = formset.non_form_errors()
    assert len(errors) == 1 and str(limit) in errors[0]
    assert errors[0] in response.content.decode()


def test_the_limits_are_far_beyond_a_real_cell():
    assert meeting_forms.MAX_AGENDA_ITEMS >= 50 and forms.MAX_CONTRIBUTIONS >= 200
    assert min(forms.MAX_SECTIONS, forms.MAX_TASKS, forms.MAX_VOTES) >= 30


@pytest.mark.parametrize("prefix", list(LIMITS))
def test_a_forged_form_count_on_the_minutes_is_refused_quickly(client, held, secretary, prefix):
    limit, model = LIMITS[prefix]
    client.force_login(secretary)
    minutes = workflow.start(held)
    before = model.objects.count()
    data = edit_data(minutes, conclusion="Không được lưu.", **{f"{prefix}-TOTAL_FORMS": 100000})
    response = post_edit(client, held, data)
    assert response.status_code == 200
    formset = response.context["formsets"][prefix]
    assert len(formset.forms) <= limit  # not 2,000 (Django's default), let alone 100,000
    assert_refused_on_the_page(response, formset, limit)
    assert model.objects.count() == before
    assert Minutes.objects.get(pk=minutes.pk).version == 1  # nothing saved


def test_one_row_beyond_the_limit_is_refused(client, held, secretary):
    client.force_login(secretary)
    minutes = workflow.start(held)
    rows = {"sections-TOTAL_FORMS": forms.MAX_SECTIONS + 1}
    for n in range(forms.MAX_SECTIONS + 1):
        rows |= {f"sections-{n}-order": n, f"sections-{n}-heading": f"Mục {n}"}
    response = post_edit(client, held, edit_data(minutes, **rows))
    assert response.status_code == 200
    assert response.context["formsets"]["sections"].non_form_errors()
    assert MinutesSection.objects.filter(minutes=minutes).count() == len(held.agenda_items.filter(section="body"))


def test_a_forged_form_count_on_the_agenda_is_refused_quickly(client, cell, secretary, make_meeting):
    client.force_login(secretary)
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    before = AgendaItem.objects.filter(meeting=meeting).count()
    response = client.post(
        reverse("meetings:agenda", args=[meeting.pk]),
        {"form-TOTAL_FORMS": 100000, "form-INITIAL_FORMS": 0, "form-0-section": "body", "form-0-order": 1,
         "form-0-title": "Không được lưu"},
    )  # fmt: skip
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) <= meeting_forms.MAX_AGENDA_ITEMS
    assert_refused_on_the_page(response, formset, meeting_forms.MAX_AGENDA_ITEMS)
    assert AgendaItem.objects.filter(meeting=meeting).count() == before
