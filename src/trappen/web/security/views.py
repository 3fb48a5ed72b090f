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
