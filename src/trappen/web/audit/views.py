"""The audit pages: the access log for data protection and for team leaders' complaint handling.

``audit_search`` and ``audit_child_export`` (the whole log) are allowed for a role whose
``audit`` grant in :mod:`trappen.privacy.roles` has scope ``all`` (the administrator), or a user
holding the Django permission ``audit.view_auditevent`` (a data-protection officer's account).
``audit_team`` (and its CSV, ``audit_team_export``) shows the log within the user's audit scope
(:func:`trappen.web.audit.selectors.audit_scope`): a team leader's ``team`` grant gives the
events about the children of their team; an ``all`` grant gives every event. Every read of the
log is itself audited.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from trappen.privacy.roles import Scope
from trappen.web.audit.selectors import audit_events_in_scope, audit_scope, can_audit
from trappen.web.audit.services import audit_record
from trappen.web.audit.templatetags.audit_labels import purpose_choices
from trappen.web.security.exports import audit_csv, audit_events

PAGE_ROWS = 500
TEAM_PAGE_ROWS = 50


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


class AuditTeamForm(AuditSearchForm):
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=purpose_choices)


_READ_PURPOSE = {Scope.TEAM: "complaint_handling", Scope.ALL: "data_protection_review"}
"""The purpose audited for reading the log: the team grant exists for complaint handling."""


def _scope_or_403(request: HttpRequest, action: str) -> Scope:
    scope = audit_scope(request.user, action=action)
    if scope is None:
        raise PermissionDenied("audit log: a team- or all-scoped audit grant is required")
    return scope


@login_required
def audit_team(request: HttpRequest) -> HttpResponse:
    """The access log within the user's audit scope: filters, 50 rows a page, newest first."""
    scope = _scope_or_403(request, "view")
    form = AuditTeamForm(request.GET)
    page, events = None, []
    if form.is_valid():
        qs = audit_events_in_scope(request.user, scope=scope, **form.cleaned_data)
        page = Paginator(qs, TEAM_PAGE_ROWS).get_page(request.GET.get("page"))
        events = list(page.object_list)  # read before this read is itself recorded
        audit_record(actor=request.user, child_id=form.cleaned_data["child_id"], action="read",
                     endpoint="audit_team", purpose=_READ_PURPOSE[scope])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/team.html", {
        "form": form, "page": page, "events": events, "query": query.urlencode(),
        "can_export": audit_scope(request.user, action="export") is not None})


@login_required
def audit_team_export(request: HttpRequest) -> HttpResponse:
    """The filtered rows of ``audit_team`` as CSV (formula-neutralised), for a complaint."""
    scope = _scope_or_403(request, "export")
    form = AuditTeamForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("invalid filter", content_type="text/plain; charset=utf-8")
    text = audit_csv(audit_events_in_scope(request.user, scope=scope, **form.cleaned_data))
    audit_record(actor=request.user, child_id=form.cleaned_data["child_id"], action="read",
                 endpoint="audit_team_export", purpose=_READ_PURPOSE[scope])
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trappen-audit-team.csv"'
    return response
