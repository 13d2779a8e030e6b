"""The site as the world outside sees it: its domain (SITE_URL's host, which names the calendar events and the
e-mails Chibo sends) and the language its messages are written in (which the pages their links open speak).
May import nothing of the apps."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation


def domain():
    """SITE_URL's host: "chibo.example.vn" (never the host a request named, which anyone can forge)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def speak_messages_language(request):
    """Answer this request in the language of the message whose link it follows.

    Messages are written in LANGUAGE_CODE (Vietnamese); a phone set to English would otherwise open their
    links in English. A `lang` in the link names another language; a language the visitor chose with the
    switch (its cookie) wins over both."""
    languages = dict(settings.LANGUAGES)
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in languages:
        return
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in languages else settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
