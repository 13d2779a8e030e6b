"""The large-text switch ("Chữ lớn"): a cookie the server reads, so the page is painted large at once."""

from django.urls import reverse

from members.context_processors import LARGE_TEXT_COOKIE


def test_it_remembers_large_text_and_returns_to_the_page(client, member):
    client.force_login(member)
    response = client.post(reverse("members:text_size"), {"large": "1", "next": "/my/tasks/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/my/tasks/?page=2"
    cookie = response.cookies[LARGE_TEXT_COOKIE]
    assert cookie.value == "1" and cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] > 0
    page = client.get(reverse("members:home")).content.decode()
    assert '<html lang="vi" class="text-large">' in page
    assert 'aria-pressed="true"' in page and 'name="large" value="0"' in page


def test_it_switches_back_to_normal_text(client, member):
    client.force_login(member)
    client.cookies[LARGE_TEXT_COOKIE] = "1"
    response = client.post(reverse("members:text_size"), {"large": "0", "next": "/"})
    assert response.cookies[LARGE_TEXT_COOKIE].value == ""  # deleted
    page = client.get(reverse("members:home")).content.decode()
    assert "text-large" not in page and 'aria-pressed="false"' in page


def test_it_works_without_logging_in_as_on_a_reply_link(client, db):
    response = client.post(reverse("members:text_size"), {"large": "1", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert "text-large" in client.get("/accounts/login/").content.decode()


def test_it_never_redirects_to_another_site(client, member):
    client.force_login(member)
    response = client.post(reverse("members:text_size"), {"large": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("members:home")


def test_it_changes_nothing_on_get(client, member):
    client.force_login(member)
    response = client.get(reverse("members:text_size"))
    assert response.status_code == 405 and LARGE_TEXT_COOKIE not in response.cookies
