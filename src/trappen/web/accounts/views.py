"""User administration (``/users/``): the list of accounts, a new account, changing one, a new
password, deactivating and reactivating (never deleting: the audit trail refers to users).

Access follows the permission table (``trappen.privacy.roles``): ``user``/``view`` for the list
and the change page, ``user``/``create`` for a new account, ``user``/``change`` for every change.
Today only the administrator holds them; every other role gets 403 on every page and method.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trappen.errors import InvalidInput
from trappen.privacy.roles import allowed
from trappen.web.accounts import selectors as sel
from trappen.web.accounts import services as svc
from trappen.web.accounts.forms import AccountFilterForm, AccountForm, NewAccountForm, PasswordForm, add_problems
from trappen.web.accounts.models import User

__all__ = ["user_deactivate", "user_edit", "user_list", "user_new", "user_password", "user_reactivate"]

PAGE_ROWS = 50


def _may(request: HttpRequest, action: str) -> bool:
    return allowed(getattr(request.user, "role", "") or "", "user", action)


def _require(request: HttpRequest, action: str) -> None:
    if not _may(request, action):
        raise PermissionDenied(f"no right to {action} user accounts")


def _account(user_id: int) -> User:
    account = sel.account_detail(user_id)
    if account is None:
        raise Http404("no such account")
    return account


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """Accounts by username, 50 a page, filtered by role and active."""
    _require(request, "view")
    form = AccountFilterForm(request.GET)
    filters = sel.AccountFilter(**form.cleaned_data) if form.is_valid() else sel.AccountFilter()
    page = Paginator(sel.account_list(filters), PAGE_ROWS).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_create": _may(request, "create")})


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    _require(request, "create")
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = svc.user_account_create(actor=request.user, username=form.cleaned_data["username"],
                                              password=form.cleaned_data["password"], **form.service_kwargs())
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Account %(username)s created.") % {"username": account.username})
            return redirect("user_list")
    return render(request, "accounts/new.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, "view")
    if request.method == "POST":
        _require(request, "change")
    account = _account(user_id)
    form = AccountForm(request.POST or None, initial=sel.account_initial(account))
    if request.method == "POST" and form.is_valid():
        try:
            changed = svc.user_account_change(actor=request.user, user_id=account.pk, **form.service_kwargs())
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Account %(username)s saved.") % {"username": account.username}
                             if changed else _("Nothing changed."))
            return redirect("user_edit", user_id=account.pk)
    return render(request, "accounts/edit.html", {
        "form": form, "account": account, "role_label": sel.role_label(account.role),
        "can_change": _may(request, "change")},
        status=422 if form.errors else 200)


@login_required
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request, "change")
    account = _account(user_id)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.user_password_set(actor=request.user, user_id=account.pk, password=form.cleaned_data["password"])
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("New password set for %(username)s.") % {"username": account.username})
            return redirect("user_edit", user_id=account.pk)
    return render(request, "accounts/password.html", {"form": form, "account": account},
                  status=422 if form.errors else 200)


def _active_set(request: HttpRequest, user_id: int, *, active: bool) -> HttpResponse:
    _require(request, "change")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    account = _account(user_id)
    try:
        svc.user_active_set(actor=request.user, user_id=account.pk, active=active)
    except InvalidInput as exc:
        for problem in exc.problems:
            messages.error(request, _("you cannot deactivate your own account")
                           if problem.field == "user" else problem.message)
    else:
        messages.success(request, (_("Account %(username)s reactivated.") if active
                                   else _("Account %(username)s deactivated.")) % {"username": account.username})
    return redirect("user_edit", user_id=account.pk)


@login_required
def user_otp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove the user's authenticator app (a lost phone) and open a new enrolment window."""
    _require(request, "change")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    account = _account(user_id)
    svc.user_otp_reset(actor=request.user, user_id=account.pk)
    messages.success(request, _("Two-factor login reset for %(username)s: they set up a new app at their next "
                                "login.") % {"username": account.username})
    return redirect("user_edit", user_id=account.pk)


@login_required
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _active_set(request, user_id, active=False)


@login_required
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _active_set(request, user_id, active=True)
