"""Units and members saved at the same time, and the kinds of units down the tree (issue 11)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members.models import Member, OrgUnit
from tests.conftest import unit

pytestmark = pytest.mark.django_db

KIND = OrgUnit.Kind


def add_unit(client, user, parent, kind, code="NEW"):
    client.force_login(user)
    data = {"kind": kind, "name": f"Đơn vị {code}", "code": code, "place_name": "Tân Hưng"}
    return client.post(reverse("members:unit_create", args=[parent.pk]), data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_commune_administrator_cannot_add_a_higher_unit_below_the_commune(client, commune_admin, commune):
    response = add_unit(client, commune_admin, commune, KIND.PROVINCIAL)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


@pytest.mark.parametrize(
    ("parent_kind", "kind"),
    [
        (KIND.COMMUNE, KIND.PROVINCIAL),
        (KIND.GRASSROOTS, KIND.COMMUNE),
        (KIND.SUB_COMMITTEE, KIND.GRASSROOTS),
        (KIND.PROVINCIAL, KIND.GROUP),  # a party group only inside a cell
    ],
)
def test_a_higher_kind_below_a_committee_is_a_form_error(client, superuser, parent_kind, kind):
    parent = unit("TOP", parent_kind)
    response = add_unit(client, superuser, parent, kind)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


@pytest.mark.parametrize("kind", [KIND.CELL, KIND.SUB_COMMITTEE, KIND.PROVINCIAL])
def test_only_a_party_group_goes_inside_a_cell_and_other_kinds_are_a_form_error(client, commune_admin, cell,
                                                                                kind):  # fmt: skip
    response = add_unit(client, commune_admin, cell, kind)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


def test_nothing_goes_inside_a_party_group(client, commune_admin, cell):
    group = unit("P.C1.1.T1", KIND.GROUP, cell)
    response = add_unit(client, commune_admin, group, KIND.GROUP)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


@pytest.mark.parametrize(
    ("parent_kind", "kind"),
    [
        (KIND.PROVINCIAL, KIND.COMMUNE),
        (KIND.PROVINCIAL, KIND.GRASSROOTS),  # a grassroots committee directly under the province
        (KIND.PROVINCIAL, KIND.CELL),  # a grassroots cell directly under a higher committee
        (KIND.COMMUNE, KIND.SUB_COMMITTEE),
        (KIND.GRASSROOTS, KIND.SUB_COMMITTEE),
        (KIND.SUB_COMMITTEE, KIND.CELL),
        (KIND.CELL, KIND.GROUP),
        # The same kind inside itself: the tree takes any shape without code changes (domain §1).
        (KIND.PROVINCIAL, KIND.PROVINCIAL),
        (KIND.COMMUNE, KIND.COMMUNE),
        (KIND.GRASSROOTS, KIND.GRASSROOTS),
        (KIND.SUB_COMMITTEE, KIND.SUB_COMMITTEE),
    ],
)
def test_kinds_going_down_the_tree_are_accepted(client, superuser, parent_kind, kind):
    parent = unit("TOP", parent_kind)
    response = add_unit(client, superuser, parent, kind)
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="NEW").parent == parent


def test_the_form_offers_only_the_kinds_allowed_below_the_parent(client, commune_admin, commune, cell):
    client.force_login(commune_admin)
    page = client.get(reverse("members:unit_create", args=[commune.pk]))
    offered = [value for value, _label in page.context["form"].fields["kind"].widget.choices if value]
    assert offered == [KIND.COMMUNE, KIND.GRASSROOTS, KIND.SUB_COMMITTEE, KIND.CELL]
    page = client.get(reverse("members:unit_create", args=[cell.pk]))
    offered = [value for value, _label in page.context["form"].fields["kind"].widget.choices if value]
    assert offered == [KIND.GROUP]


def test_a_party_group_goes_only_inside_a_cell(client, commune_admin, commune):
    response = add_unit(client, commune_admin, commune, KIND.GROUP)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="NEW").exists()


def test_changing_a_units_kind_keeps_its_children_below_it(commune, cell):
    commune.kind = KIND.CELL  # a cell holds only party groups
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        commune.full_clean()
    assert raised.value.message_dict["kind"] == [
        "Some units below this one cannot stay inside a unit of kind “Party cell”."
    ]


def test_changing_a_committees_kind_below_the_rank_of_its_children_is_refused(commune):
    committee = unit("P.C1.9", KIND.GRASSROOTS, commune)
    unit("P.C1.9.1", KIND.GRASSROOTS, committee)
    committee.kind = KIND.SUB_COMMITTEE
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        committee.full_clean()
    assert raised.value.message_dict["kind"] == [
        "Some units below this one cannot stay inside a unit of kind “Party sub-committee”."
    ]


def test_a_committee_holding_units_of_its_own_kind_passes_the_checks(commune):
    committee = unit("P.C1.9", KIND.GRASSROOTS, commune)
    unit("P.C1.9.1", KIND.GRASSROOTS, committee)
    committee.full_clean()


@pytest.fixture
def superuser(db):
    from members.models import User

    return User.objects.create_superuser("root", "root@example.vn", "a-Strong-password-42")


# --- the same party card number or unit code saved twice at once ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_units_with_one_code_saved_at_once_give_a_form_error(client, commune_admin, commune, meanwhile):
    # Another administrator adds a unit with the same code between this form's checks and its save.
    meanwhile(OrgUnit, lambda: unit("P.C1.7", KIND.CELL, commune, "Chi bộ kia"))
    response = add_unit(client, commune_admin, commune, KIND.CELL, code="P.C1.7")
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert list(OrgUnit.objects.filter(code="P.C1.7").values_list("name", flat=True)) == ["Chi bộ kia"]


@pytest.mark.django_db(transaction=True)
def test_two_members_with_one_card_number_saved_at_once_give_a_form_error(client, secretary, cell, make_member,
                                                                          meanwhile):  # fmt: skip
    other = make_member(cell, "Chu Văn Trước")
    # Another secretary records the same card number between this form's checks and its save.
    meanwhile(Member, lambda: Member.objects.filter(pk=other.pk).update(card_number="01234567"))
    client.force_login(secretary)
    data = {
        "full_name": "Chu Văn Sau",
        "gender": "male",
        "card_number": "01234567",
        "admitted_on": "19/05/2010",
        "position": "member",
    }
    response = client.post(reverse("members:create", args=[cell.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].errors["card_number"]
    assert not Member.objects.filter(full_name="Chu Văn Sau").exists()
    assert list(Member.objects.filter(card_number="01234567")) == [other]


@pytest.mark.django_db(transaction=True)
def test_a_card_number_taken_meanwhile_while_editing_gives_a_form_error(client, secretary, cell, make_member,
                                                                        meanwhile):  # fmt: skip
    other, target = make_member(cell, "Chu Văn Trước"), make_member(cell, "Chu Văn Sửa")
    meanwhile(Member, lambda: Member.objects.filter(pk=other.pk).update(card_number="07654321"))
    client.force_login(secretary)
    data = {
        "full_name": target.full_name,
        "gender": "male",
        "card_number": "07654321",
        "admitted_on": "19/05/2000",
        "official_on": "19/05/2001",
        "position": "member",
    }
    response = client.post(reverse("members:edit", args=[target.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].errors["card_number"]
    assert Member.objects.get(pk=target.pk).card_number == ""
