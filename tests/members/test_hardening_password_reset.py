"""Password reset: throttled, the same answer for any address, links built from SITE_URL (issue 11)."""

import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

KNOWN, UNKNOWN = "member@example.vn", "nobody@example.vn"


def ask(client, email, captured, **extra):
    """Ask for a reset and run what the request left for after its commit (the e-mail task)."""
    with captured(execute=True):
        return client.post(reverse("password_reset"), {"email": email}, HTTP_ACCEPT_LANGUAGE="en", **extra)


def test_thirty_requests_for_one_address_from_many_clients_send_three_emails(
    client, member, caplog, django_capture_on_commit_callbacks
):
    responses = [
        ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR=f"10.0.{number}.1") for number in range(30)
    ]
    assert len(mail.outbox) == 3
    # Every answer is the same redirect: the per-address limit is the worker's, never the page's.
    assert {(r.status_code, r.url) for r in responses} == {(302, reverse("password_reset_done"))}
    assert "already sent this hour" in caplog.text


def test_a_members_own_request_after_an_attackers_three_answers_normally(
    client, member, django_capture_on_commit_callbacks
):
    for _ in range(3):
        ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.6.6.6")
    response = ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    # The trade-off: the member's own request sends nothing more this hour, the three links already in
    # their mailbox still work. Better than a page telling anyone which addresses were asked for, or a 429
    # that locks the member out of the page itself.
    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {KNOWN}


def test_requests_answer_alike_for_known_and_unknown_addresses(client, member, django_capture_on_commit_callbacks):
    known = [ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.1") for _ in range(4)]
    unknown = [ask(client, UNKNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.2") for _ in range(4)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302] * 4
    # The client's limit: the same refusal, whichever address the last request named.
    for _ in range(6):
        ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.1")
        ask(client, UNKNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.2")
    known = ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.1")
    unknown = ask(client, UNKNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.2")
    assert known.status_code == unknown.status_code == 429
    assert page(known).replace(KNOWN, UNKNOWN) == page(unknown)


def page(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_requests_from_one_client_are_limited_whatever_the_address(client, member, settings,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    limit = getattr(settings, "PASSWORD_RESET_LIMIT_PER_IP", 10)
    for number in range(limit):
        assert ask(client, f"someone{number}@example.vn", django_capture_on_commit_callbacks).status_code == 302
    assert ask(client, KNOWN, django_capture_on_commit_callbacks).status_code == 429
    assert len(mail.outbox) == 0
    # Another client is not held back by this one.
    assert ask(client, KNOWN, django_capture_on_commit_callbacks, REMOTE_ADDR="10.9.9.9").status_code == 302
    assert len(mail.outbox) == 1


def test_the_request_itself_sends_nothing_and_does_the_same_work_for_any_address(
    client, member, django_capture_on_commit_callbacks
):
    work = {}
    for email in (KNOWN, UNKNOWN):
        with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("password_reset"), {"email": email})
        assert response.status_code == 302
        assert mail.outbox == []  # no SMTP while the member waits: the e-mail goes out in a task
        work[email] = (len(callbacks), len(queries))
    assert work[KNOWN] == work[UNKNOWN]
    assert work[KNOWN][0] == 1


def test_the_link_comes_from_site_url_even_with_a_forged_host(client, member, settings,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    settings.ALLOWED_HOSTS = ["*"]  # the worst case: a server that accepts any Host header
    settings.SITE_URL = "https://chibo.example.vn"
    response = ask(client, KNOWN, django_capture_on_commit_callbacks, HTTP_HOST="evil.example")
    assert response.status_code == 302
    [message] = mail.outbox
    assert "https://chibo.example.vn/accounts/password/reset/" in message.body
    assert "evil.example" not in message.body
    assert "evil.example" not in message.alternatives[0][0]


def test_the_task_sends_nothing_for_unknown_inactive_or_invited_logins(member, make_member, cell):
    from members.models import User
    from members.tasks import send_password_reset

    assert send_password_reset(UNKNOWN) == 0
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert send_password_reset(KNOWN) == 0
    invited = User.objects.create_user("moi@example.vn", "moi@example.vn")  # no password chosen yet
    assert not invited.has_usable_password()
    assert send_password_reset("Moi@Example.vn") == 0
    assert mail.outbox == []


def test_the_limits_are_settings(client, member, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    assert ask(client, KNOWN, django_capture_on_commit_callbacks).status_code == 302
    assert ask(client, KNOWN, django_capture_on_commit_callbacks).status_code == 302
    assert len(mail.outbox) == 1
    assert ask(client, KNOWN, django_capture_on_commit_callbacks).status_code == 429


def test_an_email_the_mail_server_refused_does_not_count(member, settings):
    from members.tasks import send_password_reset

    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    settings.EMAIL_BACKEND = "tests.members.test_hardening_password_reset.RefusingBackend"
    with pytest.raises(OSError):
        send_password_reset.apply(args=[KNOWN]).get()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_password_reset(KNOWN) == 1
    assert len(mail.outbox) == 1


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")
