"""A member's login stays theirs when the cell changes their contact e-mail (issue 11)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Member, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REAL, EVIL = "that@example.vn", "evil@example.vn"


def link_in(message, prefix):
    return re.search(rf"https?://[^/\s]+({prefix}\S+/)", message.body).group(1)


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def edit_email(client, secretary, member, email, captured):
    client.force_login(secretary)
    data = {
        "full_name": member.full_name,
        "gender": member.gender,
        "birth_date": member.birth_date.strftime("%d/%m/%Y"),
        "card_number": member.card_number,
        "admitted_on": member.admitted_on.strftime("%d/%m/%Y"),
        "official_on": member.official_on.strftime("%d/%m/%Y"),
        "position": member.position,
        "email": email,
        "phone": member.phone,
    }
    with captured(execute=True):
        response = client.post(reverse("members:edit", args=[member.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["form"].errors
    return response


def invite(client, secretary, member, captured):
    client.force_login(secretary)
    with captured(execute=True):
        return client.post(reverse("members:invite", args=[member.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en")


def accept(client, link, password):
    client.logout()
    page = client.get(link, follow=True)
    if not page.context["validlink"]:
        return False
    client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    return True


def log_in(client, login, password):
    client.logout()
    return client.post(reverse("login"), {"username": login, "password": password}).status_code == 302


def test_a_secretary_cannot_take_over_a_pending_invitation(client, secretary, cell, make_member,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    captured = django_capture_on_commit_callbacks
    invitee = make_member(cell, "Kiều Thị Thật", email=REAL)
    invite(client, secretary, invitee, captured)
    [invitation] = mails_to(REAL)
    real_link = link_in(invitation, "/accounts/invitation/")
    pending = Member.objects.get(pk=invitee.pk).user

    # The secretary puts an address of her own on the member, invites again and accepts at that address.
    edit_email(client, secretary, Member.objects.get(pk=invitee.pk), EVIL, captured)
    invite(client, secretary, Member.objects.get(pk=invitee.pk), captured)
    [second] = mails_to(EVIL)
    accept(client, link_in(second, "/accounts/invitation/"), "Evil-password-2026")

    # What the new address got is a login of its own, never the one the member was invited to:
    assert not log_in(client, REAL, "Evil-password-2026")
    assert not User.objects.filter(pk=pending.pk).exists()  # that one was withdrawn…
    assert not accept(client, real_link, "Other-password-2026")  # …so its link no longer works…
    assert User.objects.get(email=EVIL).pk != pending.pk
    # …and the address the invitation went to, which nobody ever proved, is told nothing more.
    assert mails_to(REAL) == [invitation]


def test_fixing_a_mistyped_address_tells_the_stranger_there_nothing(client, secretary, cell, make_member,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    captured = django_capture_on_commit_callbacks
    mistyped, fixed = "kieu.thi.that@exanple.vn", "kieu.thi.that@example.vn"
    invitee = make_member(cell, "Kiều Thị Thật", email=mistyped)
    invite(client, secretary, invitee, captured)
    edit_email(client, secretary, Member.objects.get(pk=invitee.pk), fixed, captured)
    # The stranger at the mistyped address got the invitation, never the member's name, cell or new address.
    [invitation] = mails_to(mistyped)
    assert "/accounts/invitation/" in invitation.body
    assert Member.objects.get(pk=invitee.pk).user is None  # the invitation is withdrawn: its link fails
    invite(client, secretary, Member.objects.get(pk=invitee.pk), captured)
    assert len(mails_to(fixed)) == 1


def test_a_notice_about_a_withdrawn_invitation_still_queued_is_not_sent(cell, make_member):
    from members.tasks import send_email_changed

    invitee = make_member(cell, "Kiều Thị Thật", email="new@example.vn")
    # Queued before this release, when the notice about a withdrawn invitation went to the old address.
    assert send_email_changed(invitee.pk, [REAL], "new@example.vn", True) == "skipped"
    assert mail.outbox == []


def test_an_invitation_goes_only_to_the_address_its_login_was_made_for(secretary, cell, make_member):
    from members.tasks import send_account_invitation

    invitee = make_member(cell, "Kiều Thị Thật", email=REAL)
    user = User.objects.create_user(REAL, REAL)  # invited, no password yet
    Member.objects.filter(pk=invitee.pk).update(user=user, email=EVIL)  # changed behind the form's back
    assert send_account_invitation(invitee.pk) == "skipped"
    assert mail.outbox == []


def test_a_member_with_an_account_keeps_the_login_when_the_secretary_changes_the_email(
    client, secretary, member, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    edit_email(client, secretary, member.member, EVIL, captured)

    [notice] = mails_to("member@example.vn")  # the old address is told
    assert EVIL in notice.body
    member.refresh_from_db()
    assert (member.username, member.email) == ("member", "member@example.vn")
    # Inviting the new address is refused; a reset asked for it sends nothing; the login is unchanged.
    response = invite(client, secretary, Member.objects.get(pk=member.member.pk), captured)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    with captured(execute=True):
        client.post(reverse("password_reset"), {"email": EVIL})
    assert mails_to(EVIL) == []
    assert not log_in(client, EVIL, PASSWORD)
    assert log_in(client, "member@example.vn", PASSWORD)


def test_the_member_confirms_the_new_login_email_from_their_own_account(
    client, secretary, member, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    new = "hoa.moi@example.vn"
    edit_email(client, secretary, member.member, new, captured)
    client.force_login(member)
    home = client.get(reverse("members:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert new in home and reverse("members:login_email") in home
    with captured(execute=True):
        response = client.post(reverse("members:login_email"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    [confirmation] = mails_to(new)
    link = link_in(confirmation, "/login-email/")

    # Someone else holding the link (the secretary, who typed the address) cannot use it.
    client.force_login(secretary)
    assert client.post(link).status_code == 404
    assert User.objects.get(pk=member.pk).email == "member@example.vn"

    client.force_login(member)
    assert client.get(link).status_code == 200
    with captured(execute=True):
        assert client.post(link).status_code == 302
    member.refresh_from_db()
    assert member.email == new
    assert len(mails_to("member@example.vn")) == 2  # the change of contact, then the change of login
    assert log_in(client, new, PASSWORD)
    client.force_login(member)
    assert client.post(link).status_code == 404  # once


def test_a_login_email_link_needs_the_member_logged_in(client, secretary, member, django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    edit_email(client, secretary, member.member, "hoa.moi@example.vn", captured)
    client.force_login(member)
    with captured(execute=True):
        client.post(reverse("members:login_email"))
    link = link_in(mails_to("hoa.moi@example.vn")[0], "/login-email/")
    client.logout()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert User.objects.get(pk=member.pk).email == "member@example.vn"


def test_changing_the_email_of_a_member_without_a_login_tells_nobody(client, secretary, cell, make_member,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    target = make_member(cell, "Kiều Văn Chưa", email=REAL)
    edit_email(client, secretary, target, "new@example.vn", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Member.objects.get(pk=target.pk).email == "new@example.vn"


def test_inviting_again_after_the_address_changed_behind_the_forms_back_makes_a_new_login(secretary, cell,
                                                                                          make_member):  # fmt: skip
    from members import services

    invitee = make_member(cell, "Kiều Thị Thật", email=REAL)
    stale = User.objects.create_user(REAL, REAL)  # invited, no password yet
    Member.objects.filter(pk=invitee.pk).update(user=stale, email="new@example.vn")
    services.invite_account(invitee)
    invitee.refresh_from_db()
    assert invitee.user.email == "new@example.vn"
    assert not User.objects.filter(pk=stale.pk).exists()
