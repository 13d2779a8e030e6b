from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import replica
from members import access
from members.models import Member, OrgUnit

from . import services
from .forms import CorrectionForm, ExemptionForm, PaymentForm, ProfileForm, RateForm
from .models import Category, DuesEntry, DuesReport


def _year(request, today):
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _errors(form, error):
    for message in error.messages:
        form.add_error(None, message)


def _book_url(cell, year=None):
    url = reverse("dues:book", args=[cell.pk])
    return f"{url}?year={year}" if year else url


@login_required
def book(request, pk):
    """The cell's dues book: members × months of a year, what is due and paid, arrears, totals."""
    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.can_view_dues(cell))
    today = timezone.localdate()
    year = _year(request, today)
    data = services.book(cell, year, today)
    month = services.month_of(today)
    return render(request, "dues/book.html", {
        "cell": cell, "book": data, "year": year, "months": services.months_of_year(year),
        "can_manage": user_access.can_manage_dues(cell), "report_month": services.add_months(month, -1),
        "current_month": month,
    })  # fmt: skip


@login_required
def pay(request, pk):
    """Record a payment: one member, one sum, spread over the oldest unpaid months or the months ticked."""
    cell = access.cell_or_404(request.user, pk)
    access.require(access.for_user(request.user).can_manage_dues(cell))
    today = timezone.localdate()
    year = _year(request, today)
    own = access.for_user(request.user).member
    initial = {"member": request.GET.get("member"), "collected_by": own.pk if own else None}
    form = PaymentForm(request.POST or None, cell=cell, year=year, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.record_payment(cell, data["member"], data["amount"], data["paid_on"], request.user,
                                              collected_by=data["collected_by"], months=data["months"],
                                              note=data["note"])  # fmt: skip
        except ValidationError as error:
            _errors(form, error)
        else:
            parts = payment.allocations.select_related("entry").order_by("entry__month")
            months = ", ".join(f"{part.entry.month:%m/%Y}" for part in parts)
            messages.success(request, _("%(amount)s đồng recorded for %(member)s (months %(months)s).") % {
                "amount": services.money(payment.amount), "member": payment.member, "months": months,
            })  # fmt: skip
            return redirect(_book_url(cell, year))
    return render(request, "dues/pay.html", {"cell": cell, "form": form, "year": year})


def _entry(request, pk):
    user_access = access.for_user(request.user)
    entry = get_object_or_404(
        DuesEntry.objects.filter(user_access.scope("cell__")).select_related("cell", "member", "collected_by", "rate"),
        pk=pk,
    )
    access.require(user_access.can_view_member_dues(entry.member) or user_access.can_view_dues(entry.cell))
    return entry


@login_required
def entry_detail(request, pk):
    """One month of a member: how the amount was set, the payments that covered it, its corrections."""
    entry = _entry(request, pk)
    can_manage = access.for_user(request.user).can_manage_dues(entry.cell, entry.member)
    form = CorrectionForm(request.POST or None, initial={"field": "due", "new_value": entry.due})
    if request.method == "POST":
        access.require(can_manage)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.correct_entry(entry, data["field"], data["new_value"], data["reason"], request.user)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("The correction is recorded."))
                return redirect("dues:entry", entry.pk)
    return render(request, "dues/entry.html", {
        "entry": entry, "cell": entry.cell, "form": form, "can_manage": can_manage,
        "allocations": entry.allocations.select_related("payment__collected_by").order_by("payment__paid_on"),
        "corrections": entry.corrections.select_related("by"),
    })  # fmt: skip


def _member(request, pk):
    user_access = access.for_user(request.user)
    member = get_object_or_404(Member.objects.visible_to(user_access).select_related("cell"), pk=pk)
    access.require(user_access.can_view_member_dues(member))
    return member


@login_required
def member_dues(request, pk):
    """A member's dues: what they owe and what they paid, their category and base, their exemptions."""
    member = _member(request, pk)
    user_access = access.for_user(request.user)
    today = timezone.localdate()
    can_manage = user_access.can_manage_dues(member.cell, member) and member.cell.is_cell
    # The member sees their whole history; their cell's committee and those above see that cell's book: a
    # member who came from elsewhere brings no page of the old cell's book.
    own = user_access.member is not None and user_access.member.pk == member.pk
    entries = member.dues_entries.select_related("cell").order_by("-month")
    payments = member.dues_payments.select_related("collected_by")
    if not own:
        entries, payments = entries.filter(cell=member.cell), payments.filter(cell=member.cell)
    entries = list(entries)
    this_month = services.month_of(today)
    owed = sorted((e for e in entries if e.is_unpaid and e.month < this_month), key=lambda e: e.month)
    return render(request, "dues/member.html", {
        "member": member, "cell": member.cell, "entries": entries, "owed": owed,
        "owed_total": sum(e.owed for e in owed), "this_month": this_month,
        "payments": payments[:50],
        "profiles": member.dues_profiles.select_related("recorded_by"),
        "exemptions": member.dues_exemptions.select_related("recorded_by"),
        "can_manage": can_manage,
        "profile_form": ProfileForm(initial={"valid_from": this_month}) if can_manage else None,
        "exemption_form": ExemptionForm(initial={"from_month": this_month}) if can_manage else None,
    })  # fmt: skip


def _member_form_post(request, pk, form_class, save, done):
    member = _member(request, pk)
    access.require(access.for_user(request.user).can_manage_dues(member.cell, member))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(member, form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, done)
            return redirect("dues:member", member.pk)
    return render(request, "dues/member_form.html", {"member": member, "cell": member.cell, "form": form})


@require_POST
@login_required
def member_profile(request, pk):
    def save(member, data):
        services.set_profile(member, data["valid_from"], data["category"], data["base"], request.user,
                             away_pays=data["away_pays"] or "", reprice=data["reprice"])  # fmt: skip

    return _member_form_post(request, pk, ProfileForm, save, _("The dues basis is recorded."))


@require_POST
@login_required
def member_exemption(request, pk):
    def save(member, data):
        services.record_exemption(member, data["from_month"], data["to_month"], data["reason"], request.user)

    return _member_form_post(request, pk, ExemptionForm, save, _("The exemption from dues is recorded."))


def _report_month(year, month):
    """A month of a dues report: from 2000 to next year (the report pages step a month either way)."""
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    try:
        return date(year, month, 1)
    except ValueError as error:
        raise Http404 from error


@login_required
def report(request, pk, year, month):
    """The month's dues report: the figures, who sent it and when, who received it."""
    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.can_view_dues(cell))
    month = _report_month(year, month)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send":
                access.require(user_access.can_manage_dues(cell))
                services.send_report(cell, month, request.user)
                messages.success(request, _("The report is sent to the committee above."))
            elif action == "receive":
                access.require(user_access.can_receive_dues_report(cell))
                services.receive_report(cell, month, request.user)
                messages.success(request, _("The report is marked received."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("dues:report", cell.pk, month.year, month.month)
    return render(request, "dues/report.html", {
        "cell": cell, "report": services.report_for(cell, month), "month": month,
        "can_send": user_access.can_manage_dues(cell), "can_receive": user_access.can_receive_dues_report(cell),
        "previous": services.add_months(month, -1), "next": services.add_months(month, 1),
    })  # fmt: skip


@login_required
@replica.reads
def unsent(request, pk):
    """For a committee: the cells below whose monthly dues reports of the year were not sent."""
    user_access = access.for_user(request.user)
    unit = get_object_or_404(OrgUnit.objects.visible_to(user_access), pk=pk)
    access.require(user_access.grant_over(unit) is not None)
    today = timezone.localdate()
    cells = OrgUnit.objects.subtree(unit).cells().order_by("path")
    waiting = DuesReport.objects.filter(cell__in=cells, status=DuesReport.Status.SENT).select_related("cell", "sent_by")
    return render(request, "dues/unsent.html", {
        "unit": unit, "missing": services.unsent_reports(cells, today),
        "waiting": waiting.order_by("month", "cell__path"),
        "can_receive": user_access.grant_over(unit) == "admin",
    })  # fmt: skip


@login_required
def rates(request, pk):
    """A committee's dues rates for the cells below it, with their history; its administrators add one."""
    user_access = access.for_user(request.user)
    unit = get_object_or_404(OrgUnit.objects.visible_to(user_access), pk=pk)
    if unit.is_cell:
        raise Http404
    access.require(user_access.grant_over(unit) is not None)
    can_set = user_access.can_set_dues_rates(unit)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        access.require(can_set)
        if form.is_valid():
            data = form.cleaned_data
            services.set_rate(unit, data["category"], data["valid_from"], request.user, percent=data["percent"],
                              amount=data["amount"], note=data["note"])  # fmt: skip
            messages.success(request, _("The rate is recorded. Months already opened keep their amounts."))
            return redirect("dues:rates", unit.pk)
    today = services.month_of(timezone.localdate())
    above = services.rates_above(unit) + list(unit.dues_rates.select_related("unit"))
    above.sort(key=lambda r: (-r.unit.depth, r.category, -r.valid_from.toordinal()))
    current = []
    for value, label in Category.choices:
        rate = services.applicable_rate(unit, value, today, above)
        percent, amount = (rate.percent, rate.amount) if rate else services.default_rate(value)
        current.append({"label": label, "rate": rate, "percent": percent, "amount": amount})
    return render(request, "dues/rates.html", {
        "unit": unit, "form": form, "can_set": can_set, "current": current,
        "history": unit.dues_rates.select_related("recorded_by").order_by("category", "-valid_from"),
    })  # fmt: skip
