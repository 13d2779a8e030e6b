"""Behind the TLS proxy every request comes from the proxy's address: lockouts and throttles must count the
client the proxy names (the last X-Forwarded-For entry), or one attacker locks out everybody."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def from_client(address, forwarded_for=None):
    """A browser behind the proxy: the proxy appends the address it sees to what the browser sent."""
    chain = f"{forwarded_for}, {address}" if forwarded_for else address
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain)


def log_in(client, password):
    return client.post(reverse("login"), {"username": "member", "password": password})


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_TLS_PROXY = True


def test_an_attacker_locks_out_only_himself(behind_proxy, member, settings):
    attacker = from_client("6.6.6.6")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        log_in(attacker, "wrong")
    assert log_in(attacker, PASSWORD).status_code == 429
    assert log_in(from_client("1.1.1.1"), PASSWORD).status_code == 302  # the member, from home


def test_a_forged_forwarded_for_does_not_escape_the_lock(behind_proxy, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        log_in(from_client("6.6.6.6"), "wrong")
    assert log_in(from_client("6.6.6.6", forwarded_for="1.1.1.1"), PASSWORD).status_code == 429


def test_the_reset_limit_per_client_counts_each_client(behind_proxy, member, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    url = reverse("password_reset")
    attacker = from_client("6.6.6.6")
    answers = [attacker.post(url, {"email": f"x{n}@example.vn"}).status_code for n in range(3)]
    assert answers == [302, 302, 429]
    assert from_client("6.6.6.6", forwarded_for="1.1.1.1").post(url, {"email": "y@example.vn"}).status_code == 429
    assert from_client("1.1.1.1").post(url, {"email": "member@example.vn"}).status_code == 302


def test_without_the_proxy_the_header_is_not_trusted(member, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        log_in(Client(HTTP_X_FORWARDED_FOR=f"9.9.9.{n}"), "wrong")  # a new "address" each time: ignored
    assert log_in(Client(HTTP_X_FORWARDED_FOR="1.1.1.1"), PASSWORD).status_code == 429
