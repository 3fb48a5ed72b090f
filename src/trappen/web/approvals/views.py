"""The team leader's approval pages: the team's pending requests, and one request's decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from trappen.errors import InvalidInput
from trappen.web import rules
from trappen.web.approvals import forms as f
from trappen.web.approvals import selectors as sel
from trappen.web.approvals import services as svc
from trappen.web.audit.services import audit_record
from trappen.web.labels import label
from trappen.web.security.purpose import purpose_prompting, require_purpose

RECENT = 20
_MESSAGES = {
    "comment": gettext_lazy("Write why the request is rejected."),
    "committee_decided_on": gettext_lazy("Give the date of the committee's decision; it cannot be in the future."),
    "status": gettext_lazy("The request has already been decided."),
}
"""The services' refusals in the user's language, by the field they name."""


def _require_approver(request: HttpRequest) -> None:
    if sel.approval_scope(request.user) is None:
        raise PermissionDenied("only a team leader decides approval requests")


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    """The team's requests awaiting a decision, oldest first, and the latest decided ones."""
    _require_approver(request)
    decided = (sel.approvals_in_scope(request.user).exclude(status="pending")
               .select_related("child", "decided_by").order_by("-decided_at", "-pk")[:RECENT])
    return render(request, "approvals/list.html", {"pending": sel.approvals_pending(request.user),
                                                    "decided": decided})


@login_required
@purpose_prompting
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    """One request with its justification; approve (the intervention starts) or reject it."""
    _require_approver(request)
    approval = sel.approval_for_decision(request.user, approval_id)
    purpose = require_purpose(request, approval.child_id)
    audit_record(actor=request.user, child_id=approval.child_id, action="read", endpoint="approval_decide",
                 purpose=purpose)
    form = f.ApprovalDecisionForm(request.POST or None, committee=approval.committee)
    if request.method == "POST" and approval.status == "pending" and form.is_valid():
        data = form.cleaned_data
        decide = svc.approval_approve if data["decision"] == f.APPROVE else svc.approval_reject
        try:
            decide(actor=request.user, approval=approval, comment=data["comment"],
                   committee_decided_on=data.get("committee_decided_on"))
        except InvalidInput as exc:
            for problem in exc.problems:
                field = problem.field if problem.field in form.fields else None
                known = _MESSAGES.get(problem.field)
                form.add_error(field, str(known) if known else f"{problem.message} ({problem.value})")
        else:
            what = {"intervention": label(approval.intervention_code, "intervention")}
            messages.success(request, (_("Approved: %(intervention)s started.") if data["decision"] == f.APPROVE
                                       else _("Rejected: %(intervention)s was not started.")) % what)
            return redirect("approval_list")
    committee = next((d for d in rules.approvals().committee if d.decision == approval.committee_decision), None)
    return render(request, "approvals/decide.html", {
        "approval": approval, "form": form, "committee": committee,
        "committee_name": committee.name((get_language() or "da")[:2]) if committee else "",
        "justification": sorted((int(k), v) for k, v in approval.justification.items()),
    }, status=422 if form.errors else 200)
