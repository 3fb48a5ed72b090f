"""The data-protection officer's audit pages: search the access log, export one child's accesses.

Allowed for a role whose ``audit``/``view`` grant in :mod:`trappen.privacy.roles` has scope
``all`` (the administrator), or a user holding the Django permission ``audit.view_auditevent``
(a data-protection officer's account). Team leaders' ``team``-scoped grant is not enough for the
whole log. Every search and export is itself audited.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from trappen.privacy.roles import Scope, permission
from trappen.web.audit.services import audit_record
from trappen.web.security.exports import audit_csv, audit_events

PAGE_ROWS = 500


def can_audit(user: object, action: str = "view") -> bool:
    """Whether ``user`` may ``action`` (view/export) the whole audit log."""
    if permission(getattr(user, "role", "") or "", "audit", action) == Scope.ALL:
        return True
    return bool(getattr(user, "is_active", False)
                and user.has_perm("audit.view_auditevent"))  # type: ignore[union-attr]


class AuditSearchForm(forms.Form):
    child_id = forms.IntegerField(label=_("Child id"), required=False, min_value=1)
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    start = forms.DateField(label=_("From (date)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Before (date)"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the access log by child, user and date range (newest first, at most 500 rows)."""
    if not can_audit(request.user):
        raise PermissionDenied("audit log: data-protection role required")
    form = AuditSearchForm(request.GET or None)
    events = []
    if form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        qs = audit_events(child_id=data["child_id"], username=data["username"] or "",
                          start=data["start"], end=data["end"])
        events = list(qs.order_by("-id")[:PAGE_ROWS])
        audit_record(actor=request.user, child_id=data["child_id"], action="read",
                     endpoint="audit_search", purpose="data_protection_review")
    return render(request, "audit/search.html", {"form": form, "events": events, "limit": PAGE_ROWS})


@login_required
def audit_child_export(request: HttpRequest, child_id: int) -> HttpResponse:
    """Every access to one child's data as CSV (formula-neutralised), for an access request."""
    if not can_audit(request.user, "export"):
        raise PermissionDenied("audit export: data-protection role required")
    text = audit_csv(audit_events(child_id=child_id))
    audit_record(actor=request.user, child_id=child_id, action="read",
                 endpoint="audit_child_export", purpose="access_request")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trappen-audit-child-{int(child_id)}.csv"'
    return response
