"""Who may change positions in a cell (issue 11): the cell elects, the committee above confirms."""

import pytest
from django.urls import reverse

from members.models import Member

pytestmark = pytest.mark.django_db

SECRETARY, DEPUTY, COMMITTEE, MEMBER = (
    Member.Position.SECRETARY,
    Member.Position.DEPUTY,
    Member.Position.COMMITTEE,
    Member.Position.MEMBER,
)


def form_data(member, **changes):
    """The member form as its page would post it back, with `changes`."""
    data = {
        "full_name": member.full_name,
        "gender": member.gender,
        "birth_date": member.birth_date.strftime("%d/%m/%Y") if member.birth_date else "",
        "card_number": member.card_number,
        "admitted_on": member.admitted_on.strftime("%d/%m/%Y"),
        "official_on": member.official_on.strftime("%d/%m/%Y") if member.official_on else "",
        "position": member.position,
        "email": member.email,
        "phone": member.phone,
    }
    data.update(changes)
    return data


def edit(client, user, member, **changes):
    client.force_login(user)
    return client.post(
        reverse("members:edit", args=[member.pk]), form_data(member, **changes), HTTP_ACCEPT_LANGUAGE="en"
    )


def position_of(user_or_member):
    member = user_or_member if isinstance(user_or_member, Member) else user_or_member.member
    return Member.objects.get(pk=member.pk).position


def test_the_deputy_cannot_demote_the_secretary(client, deputy, secretary):
    response = edit(client, deputy, secretary.member, position=MEMBER)
    assert response.status_code == 403  # nor edit anything else of hers (test_hardening_insiders.py)
    assert position_of(secretary) == SECRETARY


def test_the_deputy_cannot_make_himself_secretary(client, deputy, secretary):
    response = edit(client, deputy, deputy.member, position=SECRETARY)
    assert response.status_code == 200
    assert response.context["form"].errors["position"]
    assert (position_of(deputy), position_of(secretary)) == (DEPUTY, SECRETARY)


def test_the_deputy_cannot_take_the_empty_secretary_seat_either(client, deputy, secretary):
    Member.objects.filter(pk=secretary.member.pk).update(position=MEMBER)
    response = edit(client, deputy, deputy.member, position=SECRETARY)
    assert response.status_code == 200
    assert position_of(deputy) == DEPUTY


@pytest.mark.parametrize("new_position", [MEMBER, COMMITTEE, DEPUTY])
def test_nobody_changes_their_own_position(client, secretary, new_position):
    response = edit(client, secretary, secretary.member, position=new_position, phone="0912345678")
    assert response.status_code == 200
    assert "You cannot change your own position." in response.context["form"].errors["position"]
    assert position_of(secretary) == SECRETARY
    assert Member.objects.get(pk=secretary.member.pk).phone == ""


def test_the_secretary_still_edits_her_own_record(client, secretary):
    response = edit(client, secretary, secretary.member, phone="0912345678")
    assert response.status_code == 302
    assert Member.objects.get(pk=secretary.member.pk).phone == "+84912345678"


def test_naming_a_second_secretary_is_a_form_error_not_a_500(client, secretary, member):
    response = edit(client, secretary, member.member, position=SECRETARY)
    assert response.status_code == 200
    assert response.context["form"].errors["position"]
    assert position_of(member) == MEMBER


def test_adding_a_member_as_a_second_secretary_is_a_form_error(client, commune_admin, secretary, cell):
    client.force_login(commune_admin)
    data = {"full_name": "Phan Văn Hai", "gender": "male", "admitted_on": "19/05/2010", "position": SECRETARY}
    response = client.post(reverse("members:create", args=[cell.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The cell already has a secretary." in response.context["form"].errors["position"]
    assert not Member.objects.filter(full_name="Phan Văn Hai").exists()


@pytest.mark.parametrize(
    ("manager", "target", "new_position", "answer"),
    [
        ("secretary", MEMBER, COMMITTEE, 302),
        ("secretary", MEMBER, DEPUTY, 302),
        ("secretary", DEPUTY, MEMBER, 302),
        ("deputy", MEMBER, COMMITTEE, 302),
        ("deputy", COMMITTEE, MEMBER, 302),
        ("deputy", MEMBER, DEPUTY, 200),  # equal to their own: a form error
        ("deputy", DEPUTY, MEMBER, 403),  # another deputy: at their own, so not theirs to edit at all
        ("deputy", SECRETARY, COMMITTEE, 403),  # above their own
    ],
)
def test_managers_set_only_positions_below_their_own(client, request, cell, make_member, deputy, manager, target,
                                                     new_position, answer):  # fmt: skip
    user = request.getfixturevalue(manager)
    if target == SECRETARY:
        other = request.getfixturevalue("secretary").member
    else:
        other = make_member(cell, "Đặng Văn Đích", position=target)
    response = edit(client, user, other, position=new_position)
    assert response.status_code == answer
    assert position_of(other) == (new_position if answer == 302 else target)


def test_the_form_offers_only_the_positions_a_manager_may_give(client, deputy, cell, make_member):
    other = make_member(cell, "Đặng Văn Đích")
    client.force_login(deputy)
    page = client.get(reverse("members:edit", args=[other.pk]))
    offered = [value for value, _label in page.context["form"].fields["position"].widget.choices]
    assert offered == [MEMBER, COMMITTEE]


def test_a_higher_committee_administrator_sets_any_position(client, commune_admin, secretary, member):
    response = edit(client, commune_admin, member.member, position=SECRETARY)
    assert response.status_code == 200  # one secretary per cell, still
    assert response.context["form"].errors["position"]
    assert edit(client, commune_admin, secretary.member, position=MEMBER).status_code == 302
    assert edit(client, commune_admin, member.member, position=SECRETARY).status_code == 302
    assert (position_of(secretary), position_of(member)) == (MEMBER, SECRETARY)


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_named_at_once_give_a_form_error(client, commune_admin, cell, make_member, meanwhile):
    first, second = make_member(cell, "Lưu Văn Một"), make_member(cell, "Lưu Văn Hai")
    # Another administrator names the first one between this form's checks and its save.
    meanwhile(Member, lambda: Member.objects.filter(pk=first.pk).update(position=SECRETARY))
    response = edit(client, commune_admin, second, position=SECRETARY)
    assert response.status_code == 200
    assert response.context["form"].errors["position"]
    assert (position_of(first), position_of(second)) == (SECRETARY, MEMBER)


def test_the_deputy_cannot_end_the_secretarys_position_by_recording_a_transfer(client, deputy, secretary):
    client.force_login(deputy)
    response = client.post(
        reverse("members:status", args=[secretary.member.pk]),
        {"status": "transferred", "since": "01/03/2026"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403  # nor any other status of hers (test_hardening_insiders.py)
    stored = Member.objects.get(pk=secretary.member.pk)
    assert (stored.status, stored.position) == ("active", SECRETARY)


def test_the_secretary_records_a_committee_member_leaving(client, secretary, cell, make_member):
    leaving = make_member(cell, "Đặng Văn Đi", position=COMMITTEE)
    client.force_login(secretary)
    response = client.post(
        reverse("members:status", args=[leaving.pk]), {"status": "transferred", "since": "01/03/2026"}
    )
    assert response.status_code == 302
    stored = Member.objects.get(pk=leaving.pk)
    assert (stored.status, stored.position) == ("transferred", MEMBER)
