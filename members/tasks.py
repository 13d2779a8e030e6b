from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chibo import emails

from .models import Member


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_account_invitation(self, member_id):
    """E-mail a member the one-time link that lets them choose a password."""
    member = Member.objects.select_related("user", "cell").filter(pk=member_id).first()
    if member is None or member.user is None or member.user.has_usable_password() or not member.email:
        return "skipped"  # accepted meanwhile, or the member is gone: nothing to send
    uid = urlsafe_base64_encode(force_bytes(member.user.pk))
    token = default_token_generator.make_token(member.user)
    link = settings.SITE_URL + reverse("accept_invitation", args=[uid, token])
    try:
        emails.send("account_invitation", [member.email], {"member": member, "link": link})
    except OSError as exc:  # SMTP down or refused: transient, try again later
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return "sent"
