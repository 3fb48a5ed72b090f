"""The user's own API tokens: list, create (only right after a second factor) and revoke.

An API call carries no second factor, so the token is made where one was just given: a user
whose session is not OTP-verified is sent to enrol or verify first, whatever
``TRAPPEN_REQUIRE_OTP`` says. The plain token is shown once.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.errors import InvalidInput
from trappen.web.api.models import ApiToken
from trappen.web.api.services import token_create, token_revoke

_NEW_TOKEN = "api_new_token"
"""Session key: the token just made, shown once and then dropped."""


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What is it for?"), max_length=100,
                           help_text=_("For example the system or script that will use it."))
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)
    write = forms.BooleanField(label=_("May also write (register notifications, interventions and follow-ups)"),
                               required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        days = self.fields["days"]
        days.validators.append(MaxValueValidator(settings.TRAPPEN_API_TOKEN_MAX_DAYS))
        days.widget.attrs["max"] = settings.TRAPPEN_API_TOKEN_MAX_DAYS
        days.initial = settings.TRAPPEN_API_TOKEN_DAYS


def _second_factor_state(request: HttpRequest) -> str:
    """``verified``, ``unverified`` (an app, not given this session) or ``none`` (no app yet)."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return "verified"
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return "unverified" if has_device else "none"


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens; a new one once a second factor was given in this session."""
    state = _second_factor_state(request)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST":
        if state != "verified":
            return redirect("otp_verify" if state == "unverified" else "otp_setup")
        if form.is_valid():
            data = form.cleaned_data
            try:
                request.session[_NEW_TOKEN] = token_create(
                    username=request.user.get_username(), days=data["days"], name=data["name"],
                    scopes=("read", "write") if data["write"] else ("read",))
            except InvalidInput as exc:
                for problem in exc.problems:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            else:
                return redirect("api_tokens")
    tokens = ApiToken.objects.filter(user_id=int(request.user.pk or 0)).order_by("-created_at")
    return render(request, "security/api_tokens.html", {
        "form": form, "state": state, "new_token": request.session.pop(_NEW_TOKEN, None),
        "tokens": tokens, "now": timezone.now()})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another user's id changes nothing)."""
    token_revoke(user=request.user, token_id=token_id)
    return redirect("api_tokens")
