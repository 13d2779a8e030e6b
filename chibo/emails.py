"""The one e-mail helper: each e-mail is three templates (subject, text, HTML), kept by the app that sends it
(templates/members/emails/, templates/notifications/emails/). May import nothing of the apps."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import console
from django.template.loader import render_to_string
from django.utils import translation


def send(name, to, ctx, language=None):
    """Render <name>_subject.txt, <name>.txt and <name>.html ("members/emails/password_reset") and send them to
    `to`."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **ctx}
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        text = render_to_string(f"{name}.txt", context)
        html = render_to_string(f"{name}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message.send()


class ConsoleBackend(console.EmailBackend):
    """The embedded default's e-mails, printed for a person to read (`make run`: "open the reply link printed in
    the console"). Django's console backend prints the message as sent, where a Vietnamese subject is RFC 2047
    (=?utf-8?b?…?=) and a body may be quoted-printable, which breaks the links in it."""

    def write_message(self, message):
        message.message()  # refuses what sending would refuse (a header with a line break)
        headers = [
            ("From", message.from_email),
            ("To", ", ".join(message.to)),
            ("Cc", ", ".join(message.cc)),
            ("Reply-To", ", ".join(message.reply_to)),
            ("Subject", message.subject),
        ]
        lines = [f"{name}: {value}" for name, value in headers if value]
        lines += ["", message.body.rstrip("\n"), ""]
        for content, mimetype in getattr(message, "alternatives", []):
            lines.append(f"[{mimetype} version: {len(content)} characters, not shown]")
        for attachment in message.attachments:
            name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
            lines.append(f"[attachment: {name}]")
        self.stream.write("\n".join(lines).rstrip("\n") + "\n" + "-" * 79 + "\n")
