"""Django's own messages that its Vietnamese catalogue leaves untranslated, named here so that makemessages keeps
them in ours (the catalogues of LOCALE_PATHS come before Django's). Never imported: it is read, not run."""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    gettext_noop("Null characters are not allowed."),  # ProhibitNullCharactersValidator, on every text field
]
