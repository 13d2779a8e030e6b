"""An insider taking what is above them (issue 11): who manages whose record, status and login."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from members.models import Member, OrgUnit, User
from tests.conftest import PASSWORD
from tests.members.test_hardening_positions import form_data

pytestmark = pytest.mark.django_db

SECRETARY, DEPUTY, COMMITTEE, MEMBER = (
    Member.Position.SECRETARY,
    Member.Position.DEPUTY,
    Member.Position.COMMITTEE,
    Member.Position.MEMBER,
)
TODAY = timezone.localdate().strftime("%d/%m/%Y")


def edit(client, member, **changes):
    return client.post(reverse("members:edit", args=[member.pk]), form_data(member, **changes))


def set_status(client, member, status, since=TODAY, **temporary):
    data = {"status": status, "since": since, **temporary}
    return client.post(reverse("members:status", args=[member.pk]), data, HTTP_ACCEPT_LANGUAGE="en")


def invite(client, member, capture):
    with capture(execute=True):  # the invitation is e-mailed by a task after the commit
        return client.post(reverse("members:invite", args=[member.pk]))


def stored(member):
    return Member.objects.select_related("user").get(pk=member.pk)


# --- 1. the deputy and the login of a member above him --------------------------------------------------


def test_the_deputy_cannot_take_over_the_login_of_a_new_secretary(client, cell, commune_admin, deputy,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    # The commune names a new secretary and invites her.
    client.force_login(commune_admin)
    data = {"full_name": "Vũ Thị Mới", "gender": "female", "admitted_on": "19/05/2010", "position": SECRETARY,
            "email": "new.secretary@example.vn"}  # fmt: skip
    assert client.post(reverse("members:create", args=[cell.pk]), data).status_code == 302
    secretary = Member.objects.get(full_name="Vũ Thị Mới")
    assert invite(client, secretary, django_capture_on_commit_callbacks).status_code == 302
    invitation = stored(secretary).user

    # The deputy sends her pending login to his own second address, invites it again and opens the link.
    client.force_login(deputy)
    answers = [
        client.get(reverse("members:edit", args=[secretary.pk])).status_code,
        edit(client, secretary, email="deputy.second@example.vn").status_code,
        invite(client, secretary, django_capture_on_commit_callbacks).status_code,
    ]
    client.logout()
    for message in mail.outbox:
        if message.to == ["deputy.second@example.vn"]:
            link = re.search(r"https?://[^/]+(/accounts/invitation/\S+/)", message.body).group(1)
            page = client.get(link, follow=True)
            new_password = {"new_password1": "Taken-over-2026", "new_password2": "Taken-over-2026"}
            client.post(page.redirect_chain[-1][0], new_password)
    login = {"username": "deputy.second@example.vn", "password": "Taken-over-2026"}
    assert client.post(reverse("login"), login).status_code == 200, "the deputy logs in as the new secretary"

    assert answers == [403, 403, 403]
    after = stored(secretary)
    assert (after.email, after.user) == ("new.secretary@example.vn", invitation)
    assert [message.to for message in mail.outbox] == [["new.secretary@example.vn"]]
    assert not User.objects.filter(email="deputy.second@example.vn").exists()


@pytest.mark.parametrize("target", ["secretary", "another_deputy"])
@pytest.mark.parametrize(
    ("method", "url_name", "data"),
    [
        ("get", "members:edit", None),
        ("post", "members:edit", {"phone": "0999999999"}),
        ("get", "members:status", None),
        ("post", "members:status", {"status": "suspended", "since": TODAY}),
        ("get", "members:transfer", None),
        ("post", "members:transfer", {"to_cell": "sibling", "on": TODAY}),
        ("post", "members:invite", None),
    ],
)
def test_the_deputy_manages_nobody_at_or_above_his_position(client, deputy, secretary, cell, sibling_cell,
                                                           make_member, target, method, url_name, data):  # fmt: skip
    other = secretary.member if target == "secretary" else make_member(cell, "Đỗ Văn Phó", position=DEPUTY,
                                                                       email="pho2@example.vn")  # fmt: skip
    before = stored(other)
    client.force_login(deputy)
    url = reverse(url_name, args=[other.pk])
    if url_name == "members:edit" and data:
        data = form_data(other, **data)
    elif data and data.get("to_cell") == "sibling":
        data = {**data, "to_cell": sibling_cell.pk}
    response = client.get(url) if method == "get" else client.post(url, data or {})
    assert response.status_code == 403
    after = stored(other)
    assert (after.cell_id, after.status, after.position, after.phone, after.user) == (
        before.cell_id, before.status, before.position, before.phone, before.user
    )  # fmt: skip


def test_the_deputy_still_manages_the_members_below_him(client, deputy, cell, make_member,
                                                       django_capture_on_commit_callbacks):  # fmt: skip
    below = make_member(cell, "Đinh Thị Dưới", position=COMMITTEE, email="duoi@example.vn")
    client.force_login(deputy)
    assert edit(client, below, phone="0912000111").status_code == 302
    assert set_status(client, below, "exempt").status_code == 302
    assert invite(client, below, django_capture_on_commit_callbacks).status_code == 302
    after = stored(below)
    assert (after.phone, after.status, after.user.email) == ("+84912000111", "exempt", "duoi@example.vn")


def test_the_secretary_manages_the_deputy(client, secretary, deputy):
    client.force_login(secretary)
    assert edit(client, deputy.member, phone="0912000222").status_code == 302
    # Away on temporary activity: for work, until a day 3 to 12 months on (domain §8).
    until = (timezone.localdate() + timedelta(days=120)).strftime("%d/%m/%Y")
    assert set_status(client, deputy.member, "away", temporary_reason="work", temporary_until=until).status_code == 302
    assert (stored(deputy.member).phone, stored(deputy.member).status) == ("+84912000222", "away")


def test_an_administrator_above_manages_the_secretary(client, commune_admin, secretary):
    client.force_login(commune_admin)
    assert edit(client, secretary.member, email="bi.thu@example.vn").status_code == 302
    assert set_status(client, secretary.member, "suspended").status_code == 302
    after = stored(secretary.member)
    assert (after.email, after.status) == ("bi.thu@example.vn", "suspended")


def test_the_deputy_edits_his_own_contact_and_nothing_else(client, deputy):
    own = deputy.member
    client.force_login(deputy)
    page = client.get(reverse("members:edit", args=[own.pk]))
    assert page.status_code == 200
    editable = {name for name, field in page.context["form"].fields.items() if not field.disabled}
    assert editable == {"email", "phone", "channels", "no_messages", "position"}  # how to reach them is theirs too
    response = edit(client, own, phone="0912000333", full_name="Hoàng Văn Khác", official_on="")
    assert response.status_code == 302
    after = stored(own)
    assert (after.phone, after.full_name, after.official_on) == ("+84912000333", own.full_name, own.official_on)
    assert set_status(client, own, "exempt").status_code == 403
    assert stored(own).status == "active"


def test_the_member_page_offers_the_deputy_only_what_he_may_do(client, deputy, secretary, cell, make_member):
    below = make_member(cell, "Đinh Văn Dưới", email="duoi@example.vn")
    client.force_login(deputy)

    def buttons(member):
        page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
        names = ("edit", "status", "transfer", "invite")
        return {name for name in names if reverse(f"members:{name}", args=[member.pk]) in page}

    assert buttons(secretary.member) == set()
    assert buttons(below) == {"edit", "status", "transfer", "invite"}
    assert buttons(deputy.member) == {"edit"}


# --- 2. the deputy and the secretary's status ------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "exempt", "away", "visiting", "transferred"])
def test_the_deputy_cannot_change_the_secretarys_status(client, deputy, secretary, status):
    client.force_login(deputy)
    assert set_status(client, secretary.member, status).status_code == 403
    after = stored(secretary.member)
    assert (after.status, after.position) == ("active", SECRETARY)
    assert after.status_changes.count() == 1


# --- 3. a record of someone who left, and a second secretary ------------------------------------------


def test_a_member_who_has_left_is_given_no_position(client, commune_admin, secretary, member):
    client.force_login(commune_admin)
    assert set_status(client, member.member, "transferred").status_code == 302
    response = client.post(
        reverse("members:edit", args=[member.member.pk]),
        form_data(stored(member.member), position=SECRETARY),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "A member who has left the cell holds no position in it." in response.context["form"].errors["position"]
    assert stored(member.member).position == MEMBER


def test_bringing_back_a_record_that_left_as_secretary_is_a_form_error(client, commune_admin, secretary, member):
    client.force_login(commune_admin)
    assert set_status(client, member.member, "transferred").status_code == 302
    # Left with the position before the form refused it (older records).
    Member.objects.filter(pk=member.member.pk).update(position=SECRETARY)
    response = set_status(client, member.member, "active")
    assert response.status_code == 200
    assert "The cell already has a secretary." in response.context["form"].non_field_errors()
    after = stored(member.member)
    assert (after.status, after.memberships.filter(ended_on=None).count()) == ("transferred", 0)
    assert stored(secretary.member).position == SECRETARY


@pytest.mark.django_db(transaction=True)
def test_a_secretary_named_while_a_record_comes_back_as_secretary_is_a_form_error(client, commune_admin, cell,
                                                                                  make_member, meanwhile):  # fmt: skip
    back, other = make_member(cell, "Lưu Văn Về"), make_member(cell, "Lưu Văn Mới")
    client.force_login(commune_admin)
    assert set_status(client, back, "transferred").status_code == 302
    Member.objects.filter(pk=back.pk).update(position=SECRETARY)  # an older record, as above
    # Another administrator names a secretary between this request's checks and its save.
    meanwhile(Member, lambda: Member.objects.filter(pk=other.pk).update(position=SECRETARY))
    response = set_status(client, back, "active")
    assert response.status_code == 200
    assert "Someone else saved a change at the same moment." in response.context["form"].non_field_errors()[0]
    assert (stored(back).status, stored(other).position) == ("transferred", SECRETARY)


# --- 4. a cell with members stays a cell ----------------------------------------------------------------


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("root", "root@example.vn", PASSWORD)


def change_kind(client, staff, unit, kind):
    client.force_login(staff)
    data = {"parent": unit.parent_id, "kind": kind, "name": unit.name, "code": unit.code,
            "place_name": unit.place_name, "_save": "Save"}  # fmt: skip
    return client.post(reverse("admin:members_orgunit_change", args=[unit.pk]), data, HTTP_ACCEPT_LANGUAGE="en")


def test_staff_cannot_turn_a_cell_with_members_into_a_committee(client, staff, cell, secretary, member):
    response = change_kind(client, staff, cell, OrgUnit.Kind.GRASSROOTS)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["kind"]
    assert errors == ["Members or meetings belong to this cell, so it must stay a party cell."]
    assert OrgUnit.objects.get(pk=cell.pk).kind == OrgUnit.Kind.CELL
    client.force_login(secretary)
    assert client.get(reverse("members:list", args=[cell.pk])).status_code == 200


def test_staff_cannot_turn_a_cell_whose_members_all_left_into_a_committee(client, staff, cell, make_member):
    gone = make_member(cell, "Tạ Văn Đi")
    Member.objects.filter(pk=gone.pk).update(status=Member.Status.TRANSFERRED)
    assert change_kind(client, staff, cell, OrgUnit.Kind.GRASSROOTS).status_code == 200
    assert OrgUnit.objects.get(pk=cell.pk).kind == OrgUnit.Kind.CELL


def test_staff_cannot_turn_a_cell_with_meetings_into_a_committee(client, staff, cell):
    from meetings import services as meeting_services
    from meetings.models import Meeting

    starts_at = timezone.now() + timedelta(days=10)
    meeting_services.create_meeting(Meeting(cell=cell, starts_at=starts_at, place="Nhà văn hóa", kind="regular"))
    assert change_kind(client, staff, cell, OrgUnit.Kind.GRASSROOTS).status_code == 200
    assert OrgUnit.objects.get(pk=cell.pk).kind == OrgUnit.Kind.CELL


def test_staff_still_corrects_the_kind_of_an_empty_cell(client, staff, cell):
    assert change_kind(client, staff, cell, OrgUnit.Kind.GRASSROOTS).status_code == 302
    assert OrgUnit.objects.get(pk=cell.pk).kind == OrgUnit.Kind.GRASSROOTS


def test_a_cell_with_members_stays_a_cell_even_when_saved_without_the_form(cell, member):
    cell.kind = OrgUnit.Kind.GRASSROOTS
    with pytest.raises(ValidationError):
        cell.save()
    assert OrgUnit.objects.get(pk=cell.pk).kind == OrgUnit.Kind.CELL


# --- found by a second attack: an administrator's own record, two invitations to one address at once -------


def test_an_administrator_above_cannot_manage_his_own_record(client, commune_admin, cell, make_member):
    """A commune administrator who is also a member of a cell below: his own status, cell and record are
    for the committee above him, like anyone's."""
    himself = make_member(cell, "Ông Quản Trị", email="quantri@example.vn")
    Member.objects.filter(pk=himself.pk).update(user=commune_admin)
    himself.refresh_from_db()
    client.force_login(commune_admin)
    for name in ["members:status", "members:transfer"]:
        assert client.get(reverse(name, args=[himself.pk])).status_code == 403
    assert set_status(client, himself, Member.Status.EXEMPT).status_code == 403
    # His own contact he keeps up to date; the rest of the form is shown, not taken.
    edit(client, himself, full_name="Tên Mới", card_number="X1", phone="0912000111")
    changed = stored(himself)
    assert (changed.status, changed.full_name, changed.card_number) == (Member.Status.ACTIVE, "Ông Quản Trị", "")
    assert changed.phone == "+84912000111"


def test_two_members_with_one_address_invited_at_once_get_a_message_not_a_500(
    client, secretary, cell, make_member, meanwhile
):
    first = make_member(cell, "Người Thứ Nhất", email="chung@example.vn")
    second = make_member(cell, "Người Thứ Hai", email="chung@example.vn")

    def the_other_invitation():
        from members import services

        services.invite_account(Member.objects.get(pk=second.pk))

    client.force_login(secretary)  # (a login saves the user: before the race is arranged)
    meanwhile(User, the_other_invitation)  # just before this request creates its login
    response = client.post(reverse("members:invite", args=[first.pk]), follow=True)
    assert response.status_code == 200
    assert "Email này đã được một tài khoản khác sử dụng." in response.content.decode()
    assert stored(first).user is None and stored(second).user.email == "chung@example.vn"
