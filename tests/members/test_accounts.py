import re

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Member, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, login, password):
    return client.post(reverse("login"), {"username": login, "password": password})


@pytest.mark.parametrize("login", ["member", "MEMBER", "member@example.vn", "Member@Example.VN", " member "])
def test_members_log_in_with_username_or_email(client, member, login):
    response = log_in(client, login, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:home")
    assert client.get(reverse("members:home")).context["user"] == member


def test_a_wrong_password_is_refused_with_a_message(client, member):
    response = log_in(client, "member", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "member", "wrong")
    response = log_in(client, "member", PASSWORD)  # even the right password is refused while locked
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


@pytest.mark.parametrize("variant", ["MEMBER", "Member", "member@example.vn"])
def test_the_lock_holds_whatever_way_the_login_is_typed(client, member, settings, variant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "member", "wrong")
    assert log_in(client, variant, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lock_on_one_login_does_not_lock_another(client, member, secretary, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "member", "wrong")
    assert log_in(client, "secretary", PASSWORD).status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client, member):
    client.force_login(member)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("members:home")).status_code == 302


def test_password_change(client, member):
    client.force_login(member)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-good-pass-77", "new_password2": "Another-good-pass-77"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Another-good-pass-77")


def test_password_reset_by_email(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is sent by a task after the commit
        response = client.post(reverse("password_reset"), {"email": "member@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    post_url = form_page.redirect_chain[-1][0]
    client.post(post_url, {"new_password1": "Reset-password-2026", "new_password2": "Reset-password-2026"})
    member.refresh_from_db()
    assert member.check_password("Reset-password-2026")


def test_secretary_invites_a_member_who_then_creates_an_account(client, secretary, cell, make_member,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    invitee = make_member(cell, "Bùi Thị Mời", email="Moi@Example.vn")
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:invite", args=[invitee.pk]))
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert invitee.user.username == "moi@example.vn"
    assert not invitee.user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Moi@Example.vn"]
    assert "Bùi Thị Mời" in message.body
    assert "Chi bộ thôn Đông" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/invitation/\S+/)", message.body).group(1)

    client.logout()
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    post_url = page.redirect_chain[-1][0]
    client.post(post_url, {"new_password1": "Moi-password-2026", "new_password2": "Moi-password-2026"})
    assert log_in(client, "moi@example.vn", "Moi-password-2026").status_code == 302
    # The link works once.
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_a_member_without_email_cannot_be_invited(client, secretary, cell, make_member):
    invitee = make_member(cell, "Ngô Văn Không", email="")
    client.force_login(secretary)
    response = client.post(reverse("members:invite", args=[invitee.pk]), follow=True)
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    invitee.refresh_from_db()
    assert invitee.user is None
    assert User.objects.filter(first_name="Ngô Văn Không").count() == 0


def test_an_email_used_by_another_account_is_not_reused(client, secretary, cell, make_member, member):
    invitee = make_member(cell, "Lê Văn Trùng", email="member@example.vn")
    client.force_login(secretary)
    client.post(reverse("members:invite", args=[invitee.pk]))
    assert Member.objects.get(pk=invitee.pk).user is None


def test_an_email_too_long_for_a_login_is_refused_politely(client, secretary, cell, make_member):
    invitee = make_member(cell, "Lê Văn Dài", email="a" * 150 + "@example.vn")
    client.force_login(secretary)
    response = client.post(reverse("members:invite", args=[invitee.pk]), follow=True)
    assert response.status_code == 200
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    assert Member.objects.get(pk=invitee.pk).user is None


def test_a_tampered_invitation_link_gets_a_polite_page(client, db):
    response = client.get("/accounts/invitation/MQ/bad-token/", follow=True)
    assert response.status_code == 200
    assert not response.context["validlink"]
