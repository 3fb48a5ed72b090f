"""Second-factor forms: the first code of a new app, and the code (or a recovery code) at login."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """The six digits an authenticator app shows."""

    token = forms.CharField(label=_("Code from the app"), min_length=6, max_length=8,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))


class VerifyForm(forms.Form):
    """A code from the app or, instead, one recovery code (``ABCD-EFGH``)."""

    token = forms.CharField(label=_("Code from the app or a recovery code"), min_length=6, max_length=20,
                            help_text=_("Lost your phone? Type one of your recovery codes instead."),
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))
