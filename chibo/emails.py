"""The one e-mail helper: each e-mail is three templates (subject, text, HTML), kept by the app that sends it
(templates/members/emails/, templates/notifications/emails/). May import nothing of the apps."""

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.core.mail.backends import console
from django.template.loader import render_to_string
from django.utils import translation

from . import site


def send(name, to, ctx, language=None, reply_to=None, unsubscribe_url="", calendar=None):
    """Render <name>_subject.txt, <name>.txt and <name>.html ("members/emails/password_reset") and send them to
    `to`.

    Every e-mail gets a Message-ID on the site's domain (Django would name the machine it runs on). The
    messages a member may stop (`unsubscribe_url`) say how in List-Unsubscribe, with RFC 8058's one-click POST;
    account e-mails (password reset, account invitation) are transactional and have none. `calendar` is (method, .ics
    bytes), attached as text/calendar with its METHOD so that mail clients offer to add the meeting."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **ctx}
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        text = render_to_string(f"{name}.txt", context)
        html = render_to_string(f"{name}.html", context)
    headers = {"Message-ID": make_msgid(domain=site.domain())}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, to, reply_to=[a for a in reply_to or [] if a], headers=headers
    )
    message.attach_alternative(html, "text/html")
    if calendar is not None:
        method, content = calendar
        part = MIMEText(content.decode(), "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
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
