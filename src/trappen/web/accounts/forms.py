"""Forms of the user administration pages. Only the shape is checked here (a choice from the
lists, a number, child ids as whole numbers); the rules (a taken username, a post held by
another account, links for a role other than partner) are the service's, whose problems are put
back on the form naming the offending value (:func:`add_problems`)."""

from __future__ import annotations

import re
from typing import TypedDict

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput
from trappen.web.accounts import selectors as sel

__all__ = ["AccountFilterForm", "AccountForm", "NewAccountForm", "PasswordForm", "add_problems"]

_INVALID_CHOICE = {"invalid_choice": _("%(value)s is not one of the choices.")}


class AccountFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), required=False, error_messages=_INVALID_CHOICE)
    active = forms.ChoiceField(label=_("Active"), required=False, error_messages=_INVALID_CHOICE,
                               choices=[("", _("All")), ("yes", _("Active")), ("no", _("Deactivated"))])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = [("", _("All roles")), *sel.role_choices()]  # type: ignore[attr-defined]


class AccountFields(TypedDict):
    """What :class:`AccountForm` gives the services."""

    role: str
    district_codes: list[str]
    team_code: str
    post_id: int | None
    post_fte: float | None
    linked_child_ids: list[int]


class AccountForm(forms.Form):
    """Role, districts, team, caseworker post (with its FTE) and a partner's linked children."""

    role = forms.ChoiceField(label=_("Role"), error_messages=_INVALID_CHOICE)
    districts = forms.MultipleChoiceField(
        label=_("Districts"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("%(value)s is not a district.")})
    team = forms.ChoiceField(label=_("Team"), required=False,
                             error_messages={"invalid_choice": _("%(value)s is not a team.")})
    post = forms.ChoiceField(
        label=_("Caseworker post"), required=False,
        help_text=_("Post id · district · team · FTE · held by. Caseworkers and team leaders only."),
        error_messages={"invalid_choice": _("%(value)s is not a caseworker post.")})
    post_fte = forms.FloatField(label=_("FTE of the post"), required=False,
                                help_text=_("More than 0 and at most 1; empty keeps the post's FTE."))
    linked_children = forms.CharField(
        label=_("Linked children (child ids)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Partners only: the pseudonymous child ids, separated by spaces or commas."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = sel.role_choices()  # type: ignore[attr-defined]
        self.fields["districts"].choices = sel.district_choices()  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", "—"), *sel.team_choices()]  # type: ignore[attr-defined]
        self.fields["post"].choices = [("", "—"), *sel.post_choices()]  # type: ignore[attr-defined]

    def clean_linked_children(self) -> list[int]:
        raw = self.cleaned_data["linked_children"]
        parts = [p for p in re.split(r"[\s,;]+", raw) if p]
        bad = [p for p in parts if not p.isdigit() or len(p) > 18]
        if bad:
            raise forms.ValidationError(_("%(values)s: a child id is a whole number."),
                                        params={"values": ", ".join(bad[:10])})
        return list(dict.fromkeys(int(p) for p in parts))

    def service_kwargs(self) -> AccountFields:
        """The cleaned values as the services' keyword arguments."""
        data = self.cleaned_data
        return {"role": data["role"], "district_codes": list(data["districts"]), "team_code": data["team"],
                "post_id": int(data["post"]) if data["post"] else None, "post_fte": data["post_fte"],
                "linked_child_ids": data["linked_children"]}


class NewAccountForm(AccountForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["username", "password", "role", "districts", "team", "post", "post_fte", "linked_children"]


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("New password again"), strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


_MESSAGES = {
    "already taken": _("already taken"),
    "unknown district": _("unknown district"),
    "unknown team": _("unknown team"),
    "no caseworker post has this id": _("no caseworker post has this id"),
    "only caseworkers and team leaders hold a post": _("only caseworkers and team leaders hold a post"),
    "must be more than 0 and at most 1": _("must be more than 0 and at most 1"),
    "no child has this id": _("no child has this id"),
    "only partners are linked to children: clear the linked children first":
        _("only partners are linked to children: clear the linked children first"),
    "you cannot change your own role (ask another administrator)":
        _("you cannot change your own role (ask another administrator)"),
    "you cannot deactivate your own account": _("you cannot deactivate your own account"),
    "no account has this id": _("no account has this id"),
}
"""The services' messages, translated (a message not listed, e.g. a password validator's, is
already in the user's language)."""


def _message(message: str) -> str:
    if message in _MESSAGES:
        return str(_MESSAGES[message])
    held = re.fullmatch(r"held by the active account (.+): unlink it there first", message)
    if held:
        return gettext("held by the active account %(username)s: unlink it there first") % {
            "username": held.group(1)}
    return message


def add_problems(form: forms.Form, exc: InvalidInput) -> None:
    """Put each service problem on its field (or on the form), naming the offending value; a
    password is never echoed."""
    for p in exc.problems:
        value = "" if p.value is None or p.field == "password" else \
            " (" + gettext("value: %(value)s") % {"value": p.value} + ")"
        form.add_error(p.field if p.field in form.fields else None, f"{_message(p.message)}{value}")
