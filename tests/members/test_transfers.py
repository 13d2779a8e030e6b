"""Transfers (domain §8): temporary activity with its reason and end, and permanent transfers across two cells
with their limits in working days and who is late."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from members import services, workdays
from members.models import CellMembership, Member, StatusChange, Transfer

pytestmark = pytest.mark.django_db

TODAY = "2026-11-20 10:00 +0700"


def at(when):
    return time_machine.travel(when, tick=False)


def named(name):
    return Member.objects.get(full_name=name)


# --- working days ---------------------------------------------------------------------------------------


def test_working_days_skip_weekends_and_the_listed_holidays(settings):
    settings.PUBLIC_HOLIDAYS = ["01/01", "30/04", "01/05", "02/09", "2026-02-16", "2026-02-17"]
    # Friday 27/02/2026 + 1 working day: Monday 02/03
    assert workdays.add_working_days(date(2026, 2, 27), 1) == date(2026, 3, 2)
    # Thursday 29/04/2026: 30/04 and 01/05 are holidays, then the weekend: Monday 04/05
    assert workdays.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    # Friday 13/02/2026 + 3: Monday 16 and Tuesday 17 are Tết, so Wednesday 18, Thursday 19, Friday 20
    assert workdays.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 20)
    assert workdays.working_days_between(date(2026, 2, 13), date(2026, 2, 20)) == 3
    # 01/01 every year
    assert not workdays.is_working_day(date(2027, 1, 1)) and workdays.is_working_day(date(2027, 1, 4))


# --- temporary activity ---------------------------------------------------------------------------------


def post_status(client, member, **fields):
    data = {"status": "away", "since": "01/11/2026", "temporary_reason": "work", "temporary_until": "", "note": ""}
    data.update(fields)
    return client.post(reverse("members:status", args=[member.pk]), data)


@at(TODAY)
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"temporary_until": "01/01/2027"}, "temporary_until",
         "Sinh hoạt tạm thời vì công tác hoặc cư trú kéo dài ít nhất 3 tháng."),
        ({"temporary_until": "02/11/2027"}, "temporary_until",
         "Sinh hoạt tạm thời vì công tác hoặc cư trú kéo dài nhiều nhất 12 tháng."),
        ({"temporary_reason": "study", "temporary_until": "02/11/2028"}, "temporary_until",
         "Sinh hoạt tạm thời vì học tập kéo dài nhiều nhất 2 năm."),
        ({"temporary_until": ""}, "temporary_until", "Cho biết sinh hoạt tạm thời kéo dài đến ngày nào."),
        ({"temporary_reason": "", "temporary_until": "01/05/2027"}, "temporary_reason",
         "Cho biết lý do sinh hoạt tạm thời."),
        ({"status": "visiting", "temporary_until": "31/10/2026"}, "temporary_until",
         "Sinh hoạt tạm thời phải kết thúc sau ngày bắt đầu."),
    ],
)  # fmt: skip
def test_temporary_activity_needs_a_reason_and_an_end_within_the_limits(
    client, secretary, cell, make_member, fields, field, message
):
    target = make_member(cell, "Lê Văn Đi")
    client.force_login(secretary)
    response = post_status(client, target, **fields)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    target.refresh_from_db()
    assert (target.status, target.temporary_until) == (Member.Status.ACTIVE, None)
    assert target.status_changes.count() == 1


@at(TODAY)
def test_away_for_work_records_its_end_in_the_history_and_shows_it(client, secretary, cell, make_member):
    target = make_member(cell, "Lê Văn Đi")
    client.force_login(secretary)
    response = post_status(client, target, temporary_until="15/03/2027")
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.temporary_reason, target.temporary_until) == ("away", "work", date(2027, 3, 15))
    change = target.status_changes.first()
    assert (change.status, change.temporary_reason, change.temporary_until) == ("away", "work", date(2027, 3, 15))
    assert "hết hạn 15/03/2027" in client.get(reverse("members:detail", args=[target.pk])).content.decode()
    page = client.get(reverse("members:list", args=[cell.pk])).content.decode()
    assert "(hết hạn 15/03/2027)" in page


@at(TODAY)
def test_study_may_last_two_years_and_coming_back_clears_the_end(client, secretary, cell, make_member):
    target = make_member(cell, "Lê Văn Học")
    client.force_login(secretary)
    assert post_status(client, target, temporary_reason="study", temporary_until="01/11/2028").status_code == 302
    assert post_status(client, target, status="active", since="20/11/2026").status_code == 302
    target.refresh_from_db()
    assert (target.status, target.temporary_reason, target.temporary_until) == ("active", "", None)


# --- permanent transfers --------------------------------------------------------------------------------


@pytest.fixture
def leaving(cell, make_member):
    return make_member(cell, "Đinh Văn Chuyển")


@pytest.fixture
def receiving(outsider, other_cell):
    """The receiving cell is in another commune: its secretary (`outsider`) does not see the sending cell."""
    return other_cell


def start(client, member, code, on="01/09/2026"):
    return client.post(
        reverse("members:transfer_start", args=[member.pk]), {"to_code": code, "requested_on": on, "note": ""}
    )


@at(TODAY)
def test_a_transfer_to_a_cell_in_another_branch_is_followed_by_both_cells_and_completes(
    client, secretary, outsider, cell, receiving, leaving, commune_viewer, viewer_other_branch
):
    client.force_login(secretary)
    response = start(client, leaving, receiving.code.lower())
    transfer = Transfer.objects.get()
    assert response.url == reverse("members:transfer_detail", args=[transfer.pk])
    assert (transfer.from_cell, transfer.to_cell, transfer.requested_on) == (cell, receiving, date(2026, 9, 1))
    url = reverse("members:transfer_detail", args=[transfer.pk])
    assert client.post(url, {"step": "papers", "on": "10/11/2026"}).status_code == 302
    # The sending side cannot record the presentation; the receiving one can, without seeing the member's record.
    assert client.post(url, {"step": "presented", "on": "19/11/2026"}).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("members:detail", args=[leaving.pk])).status_code == 404
    page = client.get(reverse("members:list", args=[receiving.pk])).content.decode()
    assert "Đinh Văn Chuyển" in page and 'id="transfers"' in page
    assert client.post(url, {"step": "papers", "on": "10/11/2026"}).status_code == 403
    assert client.post(url, {"step": "presented", "on": "19/11/2026"}).status_code == 302
    transfer.refresh_from_db()
    leaving.refresh_from_db()
    assert (transfer.status, transfer.presented_on) == (Transfer.Status.COMPLETED, date(2026, 11, 19))
    assert (leaving.cell, leaving.position) == (receiving, Member.Position.MEMBER)
    stays = list(CellMembership.objects.filter(member=leaving).order_by("started_on").values_list(
        "cell_id", "ended_on"))  # fmt: skip
    assert stays == [(cell.pk, date(2026, 11, 19)), (receiving.pk, None)]
    notes = list(StatusChange.objects.filter(member=leaving).values_list("note", flat=True))
    assert any("Chi bộ khu phố 1" in note for note in notes)
    # Both committees above see it.
    for viewer in (commune_viewer, viewer_other_branch):
        client.force_login(viewer)
        assert client.get(url).status_code == 200


@at(TODAY)
def test_an_unknown_code_is_refused_and_records_nothing(client, secretary, leaving):
    client.force_login(secretary)
    response = start(client, leaving, "NO-SUCH-CELL")
    assert response.status_code == 200
    assert response.context["start_form"].errors["to_code"] == ["Không có chi bộ nào mang mã này."]
    assert not Transfer.objects.exists()


@at(TODAY)
def test_a_second_transfer_in_progress_is_refused(client, secretary, receiving, sibling_cell, leaving):
    client.force_login(secretary)
    start(client, leaving, receiving.code)
    response = start(client, leaving, sibling_cell.code)
    refused = response.context["start_form"].non_field_errors()
    assert refused == ["Việc chuyển sinh hoạt của đảng viên này đang diễn ra."]
    assert Transfer.objects.count() == 1


@at(TODAY)
def test_it_checks_ownership(client, member, province, leaving, receiving):
    from members.models import Grant, OrgUnit, User

    transfer = services.start_transfer(leaving, receiving, date(2026, 9, 1))
    url = reverse("members:transfer_detail", args=[transfer.pk])
    third = OrgUnit.objects.create(code="P.C3", kind="commune", parent=province, name="Xã Khác", place_name="X")
    stranger = User.objects.create_user(username="stranger", password="x")
    Grant.objects.create(user=stranger, unit=third, role=Grant.Role.ADMIN)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": "cancel"}).status_code == 404
    # A plain member of the sending cell sees it and changes nothing.
    client.force_login(member)
    assert client.get(url).status_code == 200
    assert client.post(url, {"step": "cancel"}).status_code == 403
    assert start(client, leaving, receiving.code).status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.IN_PROGRESS


def test_the_limits_say_who_is_late(settings, leaving, receiving):
    settings.PUBLIC_HOLIDAYS = []
    transfer = services.start_transfer(leaving, receiving, date(2026, 6, 1))  # Monday
    # 60 working days = 12 weeks: due Monday 24/08/2026
    assert transfer.papers_due_on == date(2026, 8, 24)
    assert transfer.lateness(date(2026, 8, 24)) == []
    assert transfer.lateness(date(2026, 8, 25)) == ["Chi bộ thôn Đông chậm cấp giấy giới thiệu (hạn 24/08/2026)."]
    services.record_papers(transfer, date(2026, 8, 26))
    transfer.refresh_from_db()
    assert transfer.present_due_on == date(2026, 10, 7)  # 30 working days after Wednesday 26/08
    assert transfer.lateness(date(2026, 10, 8)) == [
        "Chi bộ thôn Đông chậm cấp giấy giới thiệu (hạn 24/08/2026).",
        "Chậm trình giấy tại Chi bộ khu phố 1 (hạn 07/10/2026).",
    ]


@at(TODAY)
def test_late_transfers_are_listed_above_both_cells(
    client, commune_viewer, viewer_other_branch, commune, other_commune, leaving, receiving, cell, make_member
):
    late = services.start_transfer(leaving, receiving, date(2026, 6, 1))
    services.start_transfer(make_member(cell, "Mai Văn Mới"), receiving, date(2026, 11, 2))  # not late yet
    for viewer, unit in ((commune_viewer, commune), (viewer_other_branch, other_commune)):
        client.force_login(viewer)
        rows = client.get(reverse("members:unit", args=[unit.pk])).context["late_transfers"]
        assert [(t.pk, len(items)) for t, items in rows] == [(late.pk, 1)]


def test_presenting_before_the_papers_is_refused(leaving, receiving):
    transfer = services.start_transfer(leaving, receiving, date(2026, 6, 1))
    with pytest.raises(services.ServiceError, match="Ghi nhận ngày chi bộ đi cấp giấy trước"):
        services.complete_transfer(transfer, date(2026, 7, 1))
    services.record_papers(transfer, date(2026, 7, 1))
    with pytest.raises(services.ServiceError, match="Không thể trình giấy trước ngày cấp"):
        services.complete_transfer(transfer, date(2026, 6, 30))
    leaving.refresh_from_db()
    assert leaving.cell_id == transfer.from_cell_id


@at(TODAY)
def test_both_secretaries_read_who_is_late_on_their_home_page(client, secretary, outsider, leaving, receiving):
    transfer = services.start_transfer(leaving, receiving, date(2026, 6, 1))
    # Papers late (due 24/08); presentation due 30 working days after 01/09, National Day (02/09) off: 14/10
    services.record_papers(transfer, date(2026, 9, 1))
    for user in (secretary, outsider):
        client.force_login(user)
        page = client.get(reverse("members:home")).content.decode()
        assert "Chi bộ thôn Đông chậm cấp giấy giới thiệu (hạn 24/08/2026)." in page
        assert "Chậm trình giấy tại Chi bộ khu phố 1 (hạn 14/10/2026)." in page


@at(TODAY)
def test_temporary_activity_is_extended_with_a_new_end(client, secretary, cell, make_member):
    target = make_member(cell, "Lê Văn Đi")
    client.force_login(secretary)
    assert post_status(client, target, since="01/06/2026", temporary_until="30/11/2026").status_code == 302
    response = post_status(client, target, since="20/11/2026", temporary_until="31/05/2027")
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.temporary_until) == ("away", date(2027, 5, 31))
    assert list(target.status_changes.values_list("status", "temporary_until")) == [
        ("away", date(2027, 5, 31)), ("away", date(2026, 11, 30)), ("active", None)
    ]  # fmt: skip
    # The same end again is no change.
    response = post_status(client, target, since="20/11/2026", temporary_until="31/05/2027")
    assert response.context["form"].non_field_errors() == ["Đảng viên đã ở tình trạng này."]
    # Extensions count the 12 months from when the activity began (01/06/2026), not from the extension.
    response = post_status(client, target, since="20/11/2026", temporary_until="30/09/2027")
    assert response.status_code == 200
    assert response.context["form"].errors["temporary_until"] == [
        "Sinh hoạt tạm thời vì công tác hoặc cư trú kéo dài nhiều nhất 12 tháng."
    ]
    target.refresh_from_db()
    assert target.temporary_until == date(2027, 5, 31)


@pytest.mark.parametrize("requested_on", [date(2026, 5, 31), date(2026, 6, 5), date(2026, 6, 6)])  # Sun, Fri, Sat
def test_a_transfer_late_by_one_day_is_listed_whatever_day_it_was_requested(
    settings, commune, leaving, receiving, requested_on
):
    settings.PUBLIC_HOLIDAYS = []
    transfer = services.start_transfer(leaving, receiving, requested_on)
    day_after = date.fromordinal(transfer.papers_due_on.toordinal() + 1)
    # The query narrows to what may be late and misses nothing late; the limit decides.
    assert list(Transfer.objects.touching(commune).possibly_late(day_after)) == [transfer]
    assert transfer.lateness(day_after) != [] and transfer.lateness(transfer.papers_due_on) == []
