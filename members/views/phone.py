"""Logging in, or choosing a new password, with a phone number and a one-time code (members/phone_codes.py).

The number asked for is kept in the session between the two steps; the pages say the same whether the number
is known or not."""

import time

from axes.helpers import get_client_ip_address
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import phone_codes, phones
from ..models import Member, PhoneCode, User

SESSION_KEY = "phone_code"
RESET_KEY = "phone_reset"
RESET_SECONDS = 600
BACKEND = "members.backends.EmailOrUsernameBackend"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Your phone number"), max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": "0912 345 678"}),
    )  # fmt: skip


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The code you received"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "placeholder": "123456"}),
    )  # fmt: skip


def _ask(request, purpose, template):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = phone_codes.request_code(form.cleaned_data["phone"], purpose, get_client_ip_address(request))
        except phone_codes.Throttled as exc:
            form.add_error(None, str(exc))
            return render(request, template, {"form": form}, status=429)
        except phone_codes.CodeError as exc:
            form.add_error("phone", str(exc))
        else:
            request.session[SESSION_KEY] = {"phone": phone, "purpose": purpose}
            return redirect("phone_code")
    return render(request, template, {"form": form})


def phone_login(request):
    return _ask(request, PhoneCode.Purpose.LOGIN, "registration/phone_login.html")


def phone_reset(request):
    return _ask(request, PhoneCode.Purpose.RESET, "registration/phone_reset.html")


def phone_code(request):
    asked = request.session.get(SESSION_KEY)
    if not isinstance(asked, dict) or asked.get("purpose") not in PhoneCode.Purpose.values:
        return redirect("phone_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = phone_codes.check(asked["phone"], asked["purpose"], form.cleaned_data["code"])
        except phone_codes.CodeError as exc:
            form.add_error("code", str(exc))
        else:
            del request.session[SESSION_KEY]
            if asked["purpose"] == PhoneCode.Purpose.LOGIN:
                login(request, phone_codes.login_for(member), backend=BACKEND)
                return redirect("members:home")
            request.session[RESET_KEY] = {"member": member.pk, "at": time.time()}
            return redirect("phone_new_password")
    return render(request, "registration/phone_code.html", {"form": form, "phone": phones.shown(asked["phone"])})


def phone_new_password(request):
    granted = request.session.get(RESET_KEY)
    if not isinstance(granted, dict) or time.time() - float(granted.get("at", 0)) > RESET_SECONDS:
        request.session.pop(RESET_KEY, None)
        return redirect("phone_reset")
    member = Member.objects.filter(pk=granted.get("member")).first()
    if member is None or phone_codes.member_for(member.phone) != member:
        request.session.pop(RESET_KEY, None)
        return redirect("phone_reset")
    # The login is made when the password is saved, not when the page is only looked at.
    user = member.user or User(username=f"member-{member.pk}", first_name=member.full_name[:150])
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user = phone_codes.login_for(member)
        form.save()
        request.session.pop(RESET_KEY, None)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Your new password is saved."))
        return redirect("members:home")
    return render(request, "registration/phone_new_password.html", {"form": form})
