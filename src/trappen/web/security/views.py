"""Second-factor pages: enrol a TOTP device (QR code as SVG, no script) and verify a code."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.web.audit.services import audit_record


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code from the app"), min_length=6, max_length=8,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))


def _qr_data_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Show a QR code for a new authenticator app; confirm the device with its first code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(actor=user, child_id=None, action="write", endpoint="otp_setup",
                         purpose="second factor enrolled")
            return redirect("overview")
        form.add_error("token", _("The code is wrong or has expired. / Koden er forkert."))
    return render(request, "security/otp_setup.html", {"form": form, "qr": _qr_data_uri(device)})


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the user's confirmed device."""
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect("otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect("overview")
        form.add_error("token", _("The code is wrong or has expired. / Koden er forkert."))
    return render(request, "security/otp_verify.html", {"form": form})


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Why are you opening this record?"), widget=forms.RadioSelect)

    def __init__(self, *args: object, language: str = "da", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from trappen.privacy.roles import PURPOSES
        from trappen.web.security.purpose import CHOOSABLE

        english = language.startswith("en")
        self.fields["purpose"].choices = [
            (code, PURPOSES[code].label_en if english else PURPOSES[code].label_da) for code in CHOOSABLE]


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
    form = PurposeForm(request.POST or None, language=get_language() or "da")
    if request.method == "POST" and form.is_valid():
        remember_purpose(request, child.pk, form.cleaned_data["purpose"])
        return redirect(target)
    return render(request, "security/purpose.html", {"form": form, "child_id": child.pk, "next": target})
