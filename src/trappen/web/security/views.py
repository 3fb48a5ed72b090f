"""Second-factor pages: enrol a TOTP device (QR code as SVG, no script) and verify a code."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.web.audit.services import audit_record
from trappen.web.security.forms import TokenForm, VerifyForm
from trappen.web.security.middleware import otp_required_for
from trappen.web.security.services import (
    enrolment_open,
    otp_enrol,
    otp_verify_token,
    recovery_codes_regenerate,
    recovery_codes_remaining,
    totp_manual_key,
)

WRONG_CODE = _("The code is wrong or has expired.")
_NEW_CODES = "otp_new_recovery_codes"
"""Session key: the codes just generated, shown once on the recovery page and then dropped."""


def _qr_data_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Show a QR code and the manual key for a new authenticator app; confirm it with its first code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("otp_recovery" if user.is_verified() else "otp_verify")  # type: ignore[union-attr]
    if not enrolment_open(user):
        return render(request, "security/otp_closed.html", status=403)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp_enrol(request=request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            request.session[_NEW_CODES] = codes
            return redirect("otp_recovery")
        form.add_error("token", WRONG_CODE)
    return render(request, "security/otp_setup.html", {
        "form": form, "qr": _qr_data_uri(device), "manual_key": totp_manual_key(device),
        "required": otp_required_for(user)})


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the user's app, or one of their recovery codes."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("otp_setup")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp_verify_token(request=request, token=form.cleaned_data["token"]):
            return redirect("overview")
        form.add_error("token", WRONG_CODE)
    return render(request, "security/otp_verify.html", {"form": form})


@never_cache
@login_required
def otp_recovery(request: HttpRequest) -> HttpResponse:
    """Show new recovery codes once; generate a new set (the old codes stop working)."""
    user = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("otp_setup")
    if not user.is_verified():  # type: ignore[union-attr]
        return redirect("otp_verify")
    if request.method == "POST":
        request.session[_NEW_CODES] = recovery_codes_regenerate(user=user)
        return redirect("otp_recovery")
    codes = request.session.pop(_NEW_CODES, None)
    return render(request, "security/otp_recovery.html", {
        "codes": codes, "remaining": recovery_codes_remaining(user=user)})


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Why are you opening this record?"), widget=forms.RadioSelect)

    def __init__(self, *args: object, user: object = None, language: str = "da", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from trappen.privacy.roles import PURPOSES
        from trappen.web.security.purpose import choosable_for

        english = language.startswith("en")
        self.fields["purpose"].choices = [
            (code, PURPOSES[code].label_en if english else PURPOSES[code].label_da)
            for code in choosable_for(user)]


@login_required
def child_purpose(request: HttpRequest, child_id: int) -> HttpResponse:
    """Ask why a child outside the user's own cases is opened; remember it for the session."""
    from django.http import Http404
    from django.utils.http import url_has_allowed_host_and_scheme
    from django.utils.translation import get_language

    from trappen.web.register.selectors import child_for_user
    from trappen.web.security.purpose import remember_purpose

    try:
        child = child_for_user(request.user, child_id)
    except Http404:
        audit_record(actor=request.user, child_id=child_id, action="read", endpoint="child_purpose",
                     purpose="refused: not in scope (purpose)")
        raise
    target = request.POST.get("next") or request.GET.get("next") or ""
    # only a path on this site: a full URL is an open redirect, and a bare word would be taken
    # by redirect() as a view name (NoReverseMatch, a 500)
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = f"/children/{child.pk}/"
    form = PurposeForm(request.POST or None, user=request.user, language=get_language() or "da")
    if request.method == "POST" and form.is_valid():
        remember_purpose(request, child.pk, form.cleaned_data["purpose"])
        return redirect(target)
    return render(request, "security/purpose.html", {"form": form, "child_id": child.pk, "next": target})
