"""Accounts: the health check, logging in, accepting an invitation, password reset, the home page, a member's login
address, the invitation to create a login and the large-text switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chibo import dispatch, throttle

from .. import access, services, signals, structure
from ..context_processors import LARGE_TEXT_COOKIE
from ..forms import (
    LoginForm,
    PasswordResetForm,
)
from ..models import Member
from .base import any_transfer, listed_transfers, member_or_404


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def text_size(request):
    """The "Chữ lớn" switch in the menu, for anyone (a member opening a reply link is not logged in). Kept in a
    cookie rather than on the account so base.html has it before the first paint, on every device."""
    response = redirect(_safe_next(request) or reverse("members:home"))
    if request.POST.get("large") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, secure=request.is_secure(),
                            httponly=True, samesite="Lax")  # fmt: skip
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


def _safe_next(request):
    url = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure())
    return url if allowed else None


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """The one-time link of an account invitation: the member chooses a password, then logs in."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. You can log in now."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, throttled per client, and answering alike for every address.

    The page never says whether an address has a login: each accepted request, known address or not, only
    queues a task (which finds the login and sends the e-mail after the commit), so the answer takes the same
    work and time. The limit per address is the task's, on the e-mails it sends, and never shows here: a 429
    for an address would let anyone lock its owner out of this page.
    """

    form_class = PasswordResetForm

    def form_valid(self, form):
        from axes.helpers import get_client_ip_address

        from ..tasks import RESET_WINDOW_SECONDS, send_password_reset

        email = form.cleaned_data["email"].strip().lower()
        client_key = f"password-reset:client:{get_client_ip_address(self.request)}"
        if throttle.count(client_key, RESET_WINDOW_SECONDS) > settings.PASSWORD_RESET_LIMIT_PER_IP:
            form.add_error(None, _("Too many password reset requests. Try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        dispatch.send_after_commit(send_password_reset, email)
        return redirect(self.get_success_url())


def _cell_notes(user_access, cell_id):
    """What those who run the cell read on their home page: its structure (domain §8) and its permanent
    transfers in progress, with who is late. One query, with whether any transfer is in progress; a second
    one lists them when some are."""
    row = next(
        iter(
            Member.objects.filter(cell_id=cell_id)
            .values("cell_id")
            .annotate(**structure.counts(timezone.localdate()), transfers=any_transfer(user_access, cell_id))
        ),
        None,
    )
    return {
        "structure_warnings": structure.of(row or {}).warnings(),
        "transfers": listed_transfers(user_access, cell_id, row["transfers"] if row else None),
    }


@login_required
def home(request):
    user_access = access.for_user(request.user)
    member = user_access.member
    manages = member is not None and user_access.can_manage_members(member.cell)
    return render(
        request,
        "members/home.html",
        {
            "member": member,
            "committees": user_access.top_units(),
            "sections": signals.home_sections(user_access, member, timezone.localdate()),
            "can_manage_members": manages,
            **(_cell_notes(user_access, member.cell_id) if manages else {}),
            "can_view_dashboard": member is not None and user_access.can_view_dashboard(member.cell),
            # The cell recorded another address than the one they log in with: they may adopt it.
            "new_login_email": member.email
            if member is not None and member.email and member.email.lower() != request.user.email.lower()
            else None,
        },
    )


@require_POST
@login_required
def member_invite(request, pk):
    member = member_or_404(request, pk)
    access.require(access.for_user(request.user).can_manage_member(member))
    try:
        with transaction.atomic():
            services.invite_account(member)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    except IntegrityError:  # the same address invited for another member at the same moment
        messages.error(request, _("Another account already uses this e-mail address."))
    else:
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": member.email})
    return redirect(member)


LOGIN_EMAIL_SALT = "members.login_email"


@require_POST
@login_required
def login_email(request):
    """The member asks to log in with the e-mail address their cell recorded for them. The link goes to that
    address and works only for them, logged in: so they prove both that it is their account and their address."""
    member = access.for_user(request.user).member
    if member is None or not member.email or member.email.lower() == request.user.email.lower():
        raise Http404
    refusal = services.address_refusal(member.email.lower(), request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("members:home")
    from ..tasks import send_login_email_link

    data = {"user": request.user.pk, "from": request.user.email, "to": member.email.lower()}
    token = signing.dumps(data, salt=LOGIN_EMAIL_SALT)
    dispatch.send_after_commit(send_login_email_link, request.user.pk, member.email, token)
    messages.success(
        request, _("A link was sent to %(email)s. Open it and confirm, logged in to Chibo.") % {"email": member.email}
    )
    return redirect("members:home")


@login_required
def login_email_confirm(request, token):
    try:
        data = signing.loads(token, salt=LOGIN_EMAIL_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:  # tampered or expired
        raise Http404 from None
    member = access.for_user(request.user).member
    # For this login only, once (its address is still the one it had), and only while the cell's record agrees.
    if (
        data.get("user") != request.user.pk
        or data.get("from") != request.user.email
        or member is None
        or member.email.lower() != data.get("to")
    ):
        raise Http404
    if request.method == "POST":
        try:
            with transaction.atomic():
                services.change_login_email(request.user, data["to"])
        except IntegrityError:  # another login took the address meanwhile
            messages.error(request, _("Another account already uses this e-mail address."))
        except services.ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You now log in with %(email)s.") % {"email": data["to"]})
        return redirect("members:home")
    return render(request, "members/login_email_confirm.html", {"email": data["to"]})
