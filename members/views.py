import uuid
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chibo import dispatch, throttle

from . import access, imports, services, signals
from .forms import (
    ImportForm,
    LoginForm,
    MemberFilterForm,
    MemberForm,
    PasswordResetForm,
    StatusForm,
    TransferForm,
    UnitForm,
)
from .models import Member, MemberImport, OrgUnit
from .names import fold

TRANSFERRED = Member.Status.TRANSFERRED


def _member_or_404(request, pk):
    visible = Member.objects.visible_to(access.for_user(request.user))
    return get_object_or_404(visible.select_related("cell", "user"), pk=pk)


def _save_checked(form, save):
    """Run `save` in a savepoint and return what it returns, or None when the database refused the row.

    Another request may have saved a clashing row (a party card number, a unit code, a second secretary)
    after this form was checked; the constraint then refuses ours. Checking the form again names the field,
    where a 500 would tell the user nothing.
    """
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        form.full_clean()
        if not form.errors:
            form.add_error(None, _("Someone else saved a change at the same moment. Check the form and save again."))
        return None


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


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

        from .tasks import RESET_WINDOW_SECONDS, send_password_reset

        email = form.cleaned_data["email"].strip().lower()
        client_key = f"password-reset:client:{get_client_ip_address(self.request)}"
        if throttle.count(client_key, RESET_WINDOW_SECONDS) > settings.PASSWORD_RESET_LIMIT_PER_IP:
            form.add_error(None, _("Too many password reset requests. Try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        dispatch.send_after_commit(send_password_reset, email)
        return redirect(self.get_success_url())


@login_required
def home(request):
    user_access = access.for_user(request.user)
    committees = []
    for unit in user_access.top_units():
        subtree = OrgUnit.objects.subtree(unit)
        committees.append(
            {
                "unit": unit,
                "cells": subtree.cells().count(),
                "members": Member.objects.in_subtree(unit).on_roll().count(),
            }
        )
    member = user_access.member
    return render(
        request,
        "members/home.html",
        {
            "member": member,
            "committees": committees,
            "can_manage_members": member is not None and user_access.can_manage_members(member.cell),
            "can_view_dashboard": member is not None and user_access.can_view_dashboard(member.cell),
            # The cell recorded another address than the one they log in with: they may adopt it.
            "new_login_email": member.email
            if member is not None and member.email and member.email.lower() != request.user.email.lower()
            else None,
        },
    )


@login_required
def tree(request):
    user_access = access.for_user(request.user)
    access.require(user_access.can_view_tree())
    roots = user_access.top_units()
    return render(request, "members/tree.html", {"rows": _tree_rows(request.user, roots), "roots": roots})


@login_required
def unit_detail(request, pk):
    unit = get_object_or_404(OrgUnit.objects.visible_to(access.for_user(request.user)), pk=pk)
    if unit.is_cell:
        return redirect("members:list", pk=unit.pk)
    user_access = access.for_user(request.user)
    rows = _tree_rows(request.user, [unit])
    cells = {row["unit"].pk: row["unit"] for row in rows if row["unit"].is_cell}
    return render(
        request,
        "members/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.ancestors().visible_to(access.for_user(request.user)),
            "rows": rows,
            "can_manage": user_access.can_manage_unit(unit),
            "can_publish": user_access.can_publish_guidance(unit),
            "cell_warnings": [],
            **signals.extras(signals.unit_page, cells=cells, today=timezone.localdate()),
        },
    )


def _tree_rows(user, roots):
    """Every visible unit under the roots, in tree order, with members on the roll rolled up the tree."""
    if not roots:
        return []
    scope = Q(pk__in=[])
    for root in roots:
        scope |= Q(path__startswith=root.path)
    units = list(
        OrgUnit.objects.visible_to(access.for_user(user))
        .filter(scope)
        .annotate(direct=Count("members", filter=~Q(members__status=TRANSFERRED)))
        .order_by("path")
    )
    totals, cells = Counter(), Counter()
    for unit in units:
        for path in unit.ancestor_paths():
            totals[path] += unit.direct
            cells[path] += unit.is_cell
    base_depth = min(root.depth for root in roots)
    return [
        {"unit": u, "indent": u.depth - base_depth, "members": totals[u.path], "cells": cells[u.path]} for u in units
    ]


@login_required
def unit_create(request, pk):
    parent = get_object_or_404(OrgUnit.objects.visible_to(access.for_user(request.user)), pk=pk)
    access.require(access.for_user(request.user).can_manage_unit(parent))
    form = UnitForm(request.POST or None, instance=OrgUnit(parent=parent))
    if request.method == "POST" and form.is_valid() and (unit := _save_checked(form, form.save)):
        messages.success(request, _("The unit “%(name)s” was added.") % {"name": unit.name})
        return redirect(unit)
    return render(request, "members/unit_form.html", {"form": form, "parent": parent})


def _counts(cell):
    on_roll = ~Q(status=TRANSFERRED)
    return Member.objects.filter(cell=cell).aggregate(
        on_roll=Count("pk", filter=on_roll),
        official=Count("pk", filter=on_roll & Q(official_on__isnull=False)),
        probationary=Count("pk", filter=on_roll & Q(official_on__isnull=True)),
        exempt=Count("pk", filter=Q(status=Member.Status.EXEMPT)),
        away=Count("pk", filter=Q(status=Member.Status.AWAY)),
        visiting=Count("pk", filter=Q(status=Member.Status.VISITING)),
        suspended=Count("pk", filter=Q(status=Member.Status.SUSPENDED)),
        transferred=Count("pk", filter=Q(status=TRANSFERRED)),
    )


CATEGORY_FILTERS = {
    "": ~Q(status=TRANSFERRED),
    "official": ~Q(status=TRANSFERRED) & Q(official_on__isnull=False),
    "probationary": ~Q(status=TRANSFERRED) & Q(official_on__isnull=True),
    "exempt": Q(status=Member.Status.EXEMPT),
    "away": Q(status=Member.Status.AWAY),
    "visiting": Q(status=Member.Status.VISITING),
    "suspended": Q(status=Member.Status.SUSPENDED),
    "transferred": Q(status=TRANSFERRED),
}


@login_required
def member_list(request, pk):
    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    filters = MemberFilterForm(request.GET or None)
    members = Member.objects.filter(cell=cell)
    category = ""
    if filters.is_valid():
        category = filters.cleaned_data["category"]
        if filters.cleaned_data["q"]:
            members = members.filter(search_name__contains=fold(filters.cleaned_data["q"]))
    members = list(members.filter(CATEGORY_FILTERS[category]))
    extras = signals.extras(signals.member_list_page, cell=cell, year=timezone.localdate().year)
    flagged = extras.get("removal_months", {})
    for member in members:
        member.removal_months = flagged.get(member.pk)
    return render(
        request,
        "members/member_list.html",
        {
            "cell": cell,
            "members": members,
            "counts": _counts(cell),
            "filters": filters,
            "category": category,
            "can_manage": user_access.can_manage_members(cell),
            "can_view_private": user_access.is_cell_committee(cell) or user_access.grant_over(cell) is not None,
        },
    )


@login_required
def member_detail(request, pk):
    member = _member_or_404(request, pk)
    user_access = access.for_user(request.user)
    year = timezone.localdate().year
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "attendances": member.attendances.select_related("meeting").order_by("-meeting__starts_at")[:36],
            "spoke": member.contributions.filter(minutes__meeting__starts_at__year=year).count(),
            "removal_months": None,
            "evidence": None,
            **signals.extras(
                signals.member_page, member=member, year=year, can_view_private=user_access.can_view_private(member)
            ),
            "year": year,
            "cell": member.cell,
            "status_changes": member.status_changes.select_related("recorded_by"),
            "memberships": member.memberships.select_related("cell", "recorded_by"),
            "can_manage": user_access.can_manage_member(member),
            "can_edit_contact": user_access.can_edit_own_contact(member),
            "can_view_private": user_access.can_view_private(member),
        },
    )


@login_required
def member_create(request, pk):
    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.can_manage_members(cell))
    form = MemberForm(request.POST or None, cell=cell, access=user_access)

    def create():
        member = form.save(commit=False)
        member.status_since = member.admitted_on
        return services.create_member(member, by=request.user)

    if request.method == "POST" and form.is_valid() and (member := _save_checked(form, create)):
        messages.success(request, _("%(name)s was added to the cell.") % {"name": member.full_name})
        if "add_another" in request.POST:
            return redirect("members:create", pk=cell.pk)
        return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "cell": cell})


@login_required
def member_edit(request, pk):
    member = _member_or_404(request, pk)
    user_access = access.for_user(request.user)
    manages = user_access.can_manage_member(member)
    access.require(manages or user_access.can_edit_own_contact(member))
    old_email = member.email  # the form writes the posted one onto the member while checking it
    form = MemberForm(
        request.POST or None, instance=member, cell=member.cell, access=user_access, contact_only=not manages
    )

    def update():
        return services.update_member(form.save(commit=False), old_email)

    if request.method == "POST" and form.is_valid() and _save_checked(form, update):
        messages.success(request, _("The changes were saved."))
        return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "cell": member.cell, "member": member})


@login_required
def member_status(request, pk):
    member = _member_or_404(request, pk)
    access.require(access.for_user(request.user).can_manage_member(member))
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record():
            return services.change_status(member, data["status"], data["since"], by=request.user, note=data["note"])

        try:
            # A record coming back as secretary can clash with one named meanwhile: the form then says so.
            recorded = _save_checked(form, record)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if recorded:
                messages.success(request, _("The status was recorded."))
                return redirect(member)
    return render(request, "members/member_status.html", {"form": form, "member": member, "cell": member.cell})


@login_required
def member_transfer(request, pk):
    member = _member_or_404(request, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.can_manage_member(member))
    cells = user_access.manageable_cells(OrgUnit.objects.all()).exclude(pk=member.cell_id)
    form = TransferForm(request.POST or None, cells=cells)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer(member, data["to_cell"], data["on"], by=request.user, note=data["note"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("%(name)s now belongs to %(cell)s.") % {"name": member.full_name, "cell": data["to_cell"]}
            )
            return redirect(member)
    return render(request, "members/member_transfer.html", {"form": form, "member": member, "cell": member.cell})


@require_POST
@login_required
def member_invite(request, pk):
    member = _member_or_404(request, pk)
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
    from .tasks import send_login_email_link

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


IMPORT_SESSION_KEY = "member_import"


@login_required
def member_import(request, pk):
    cell = access.cell_or_404(request.user, pk)
    access.require(access.for_user(request.user).can_manage_members(cell))
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request, cell)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.validate(imports.read_file(form.cleaned_data["file"]), cell)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            token = uuid.uuid4().hex
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "cell": cell.pk,
                "rows": [row.to_session() for row in rows],
            }
            return _render_preview(request, cell, rows, token)
    return render(request, "members/member_import.html", {"form": form, "cell": cell})


def _render_preview(request, cell, rows, token):
    return render(
        request,
        "members/member_import_preview.html",
        {
            "cell": cell,
            "rows": rows,
            "token": token,
            "labels": imports.column_labels(),
            "error_count": sum(1 for row in rows if row.errors),
        },
    )


def _confirm_import(request, cell):
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored or stored.get("token") != request.POST["token"] or stored.get("cell") != cell.pk:
        messages.error(request, _("This preview has expired. Upload the file again."))
        return redirect("members:import", pk=cell.pk)
    # Check again: the cell may have changed since the preview.
    rows = imports.validate([imports.Row.from_session(data) for data in stored["rows"]], cell)
    if any(row.errors for row in rows):
        return _render_preview(request, cell, rows, stored["token"])
    try:
        with transaction.atomic():
            # One confirmation per preview, even when the button is pressed twice at once: the receipt's
            # unique token makes the second wait for the first, then refuses it.
            MemberImport.objects.create(token=stored["token"], cell=cell, by=request.user, count=len(rows))
            created = imports.save_rows(rows, cell, by=request.user)
    except IntegrityError:
        if MemberImport.objects.filter(token=stored["token"]).exists():
            messages.error(request, _("This list is being imported or was imported already."))
            return redirect("members:list", pk=cell.pk)
        # A card number was taken between the check and the save: nothing was saved.
        messages.error(request, _("The list changed while it was being imported; nothing was saved. Check it again."))
        return redirect("members:import", pk=cell.pk)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(request, _("%(count)s members were imported.") % {"count": len(created)})
    return redirect("members:list", pk=cell.pk)


@login_required
def import_template(request, pk):
    """An empty list with the expected columns, for secretaries to fill in."""
    from openpyxl import Workbook

    cell = access.cell_or_404(request.user, pk)
    access.require(access.for_user(request.user).can_manage_members(cell))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Members")[:31]
    headers = [imports.COLUMNS[name][0] for name in imports.COLUMNS]
    sheet.append(["STT", *headers])
    sheet.append([1, "Nguyễn Văn An", "Nam", "15/03/1960", "", "03/02/1985", "03/02/1986", "", "0912345678"])
    for column in "BCDEFGHI":
        sheet.column_dimensions[column].width = 20
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="danh-sach-dang-vien.xlsx"'
    workbook.save(response)
    return response
