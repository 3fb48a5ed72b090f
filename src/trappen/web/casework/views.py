"""Casework pages: parse input, call one service or selector, render. The core's refusals
become form errors naming the field; a child outside the user's districts is a 404."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import polars as pl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trappen.deadlines import default_duties
from trappen.errors import EditConflict, InvalidInput
from trappen.privacy.roles import permission
from trappen.web import rules
from trappen.web.audit.services import audit_list, audit_record
from trappen.web.casework import forms as f
from trappen.web.casework import selectors as sel
from trappen.web.casework import services as svc
from trappen.web.labels import episode_label, label
from trappen.web.register import models as m
from trappen.web.register.selectors import child_for_user, children_visible_to
from trappen.web.scope import may
from trappen.web.security.purpose import purpose_prompting, require_purpose

_M = TypeVar("_M", bound=Model)

def _step_names() -> dict[int, str]:
    language = (get_language() or "da")[:2]
    return {s.number: s.name(language) for s in rules.staircase().steps}


def _duty_names() -> dict[str, str]:
    english = (get_language() or "da").startswith("en")
    return {d.id: (d.name_en if english else d.name_da) for d in default_duties().duties}


def _open_child(request: HttpRequest, child_id: int, *, purpose: str) -> m.Child:
    """The child if in scope (audited read); an out-of-scope attempt is audited, then 404."""
    try:
        child = child_for_user(request.user, child_id)
        if getattr(request.user, "role", None) == "partner":
            raise Http404("partners see only the shared fields (child page and API)")
    except Http404:
        audit_record(actor=request.user, child_id=child_id, action="read", endpoint=request.path,
                     purpose=f"refused: not in scope ({purpose})")
        raise
    chosen = require_purpose(request, child.pk)  # PurposeRequired: the view answers with the prompt
    audit_record(actor=request.user, child_id=child.pk, action="read", endpoint=request.path, purpose=chosen)
    return child


def _form_errors(form: object, exc: InvalidInput) -> None:
    for problem in exc.problems:
        field = problem.field if problem.field in form.fields else None  # type: ignore[attr-defined]
        message = problem.message if field else f"{problem.field}: {problem.message}"
        form.add_error(field, f"{message} ({problem.value})")  # type: ignore[attr-defined]


def _deadline_rows(items: pl.DataFrame, names: dict[str, dict[str, object]] | None = None) -> list[dict[str, object]]:
    duty = _duty_names()
    rows = []
    for r in items.iter_rows(named=True):
        r["duty_name"] = duty.get(r["duty_id"], r["duty_id"])
        r["due_local"] = timezone.localtime(r["due_at"]) if r["due_at"] is not None else None
        if names is not None:
            r["child"] = names.get(r["child_id"])
        rows.append(r)
    return rows


@login_required
@purpose_prompting
def child_casework(request: HttpRequest, child_id: int) -> HttpResponse:
    """The casework page is part of the child's case page now (``child_detail``): the same
    scope check and audited read, then a redirect there (old links and bookmarks keep working)."""
    child = _open_child(request, child_id, purpose="casework")
    return redirect("child_detail", child_id=child.pk)


def _simple_form(request: HttpRequest, form: object, *, child: m.Child, title: str, save: object,
                 success: str, facts: Mapping[str, object] | None = None,
                 history: list[dict[str, object]] | None = None,
                 links: list[tuple[str, str, str]] | None = None) -> HttpResponse:
    """A casework form page; ``links``: (id, address, text) shown above the form."""
    conflict = None
    if request.method == "POST" and form.is_valid():  # type: ignore[attr-defined]
        try:
            save(form.cleaned_data)  # type: ignore[operator, attr-defined]
        except EditConflict as exc:
            # Nothing was saved: show stored vs submitted values; resubmitting (after review)
            # goes against the current version, so overwriting is a deliberate second step.
            conflict = exc.problems
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(exc.current_version)
            form.data = data  # type: ignore[attr-defined]
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("child_detail", child_id=child.pk)
    return render(request, "casework/form.html", {"child": child, "form": form, "title": title,
                                                  "conflict": conflict, "facts": facts, "history": history,
                                                  "links": links or []})


@login_required
@purpose_prompting
def notification_new(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _open_child(request, child_id, purpose="register notification")
    form = f.NotificationForm(request.POST or None)
    return _simple_form(
        request, form, child=child, title=_("Register notification"),
        save=lambda d: svc.notification_register(actor=request.user, child=child, **d),
        success=_("Notification registered: the 24-hour assessment clock is running."))


def _local(moment: object) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _partner_notifier(request: HttpRequest) -> None:
    """:class:`PermissionDenied` (403) unless the user may notify about any child (partners)."""
    if not svc.can_notify_any_child(request.user):
        raise PermissionDenied("no duty-to-notify form for this role")


@login_required
def partner_notify(request: HttpRequest) -> HttpResponse:
    """A partner's notification about any child, identified by CPR number (not linked children
    only: the duty to notify covers every child). The answer is the same whether or not the
    municipality knew the child."""
    _partner_notifier(request)
    form = f.PartnerNotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = svc.notification_submit(actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Notification no. %(id)s received %(at)s. The municipality assesses it "
                                        "within 24 hours.") % {"id": n.pk, "at": _local(n.received_at)})
            return redirect("partner_notifications")
    return render(request, "casework/notify.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def partner_notifications(request: HttpRequest) -> HttpResponse:
    """The notifications this user sent, with their receipt: number, time and whether the
    municipality has acknowledged it (never the child's record or the assessment)."""
    _partner_notifier(request)
    sent = sel.notifications_sent_by(request.user)
    audit_list(actor=request.user, endpoint="partner_notifications",
               child_ids=list(sent.values_list("child_id", flat=True)))
    return render(request, "casework/notifications_sent.html", {"sent": sent})


@login_required
@purpose_prompting
def notification_assess_page(request: HttpRequest, notification_id: int) -> HttpResponse:
    n = _in_scope(request, m.Notification, notification_id)
    child = _open_child(request, n.child_id, purpose="assess notification")
    facts = {_("Received"): _local(n.received_at), _("Notifier"): label(n.notifier_kind, "notifier")}
    if n.concern:
        facts[_("Concern")] = n.concern
    links = []  # the notification's anonymous consultations (trappen.web.collaboration), for who may link one
    if may(request.user, "consultation", "change", child=child):
        links.append(("link-consultation", reverse("notification_consultations", args=[n.pk]),
                      _("Link a consultation")))
    if n.assessed_at is None:
        form = f.VersionedAssessmentForm(request.POST or None, initial={"version": n.version})
        return _simple_form(request, form, child=child, title=_("Assess notification"),
                            save=lambda d: svc.notification_assess(actor=request.user, notification=n, **d),
                            success=_("Assessment recorded."), facts=facts, links=links)
    # already assessed: a correction, a new version with the current one kept as history
    form = f.VersionedAssessmentForm(request.POST or None, initial={
        "version": n.version, "assessed_at": timezone.localtime(n.assessed_at).strftime("%Y-%m-%dT%H:%M"),
        "outcome": n.outcome})
    history = [{"version": r.version, "replaced_at": r.replaced_at,
                "text": f"{_local(r.assessed_at)}: {label(r.outcome, 'outcome')}"}
               for r in n.assessment_revisions.order_by("-version")]
    return _simple_form(request, form, child=child, title=_("Correct assessment"), facts=facts, history=history,
                        links=links,
                        save=lambda d: svc.notification_assessment_correct(actor=request.user, notification=n, **d),
                        success=_("Assessment corrected; the earlier version is kept."))


@login_required
@purpose_prompting
def investigation_new(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _open_child(request, child_id, purpose="open investigation")
    notes = {n.pk: n for n in child.notifications.order_by("-received_at")}
    form = f.InvestigationOpenForm(
        request.POST or None,
        notifications=[(pk, f"{timezone.localtime(n.received_at):%Y-%m-%d %H:%M} {label(n.notifier_kind, 'notifier')}")
                       for pk, n in notes.items()])

    def save(d: dict[str, object]) -> None:
        svc.investigation_open(actor=request.user, child=child, started_on=d["started_on"],
                               aware_on=d["aware_on"], notification=notes.get(d["notification_id"]))

    return _simple_form(request, form, child=child, title=_("Open investigation"), save=save,
                        success=_("Investigation opened: the 4-month clock is running."))


@login_required
@purpose_prompting
def investigation_conclude_page(request: HttpRequest, investigation_id: int) -> HttpResponse:
    inv = _in_scope(request, m.Investigation, investigation_id)
    child = _open_child(request, inv.child_id, purpose="conclude investigation")
    form = f.VersionedConcludeForm(request.POST or None, initial={"version": inv.version})
    return _simple_form(request, form, child=child, title=_("Conclude investigation"),
                        save=lambda d: svc.investigation_conclude(actor=request.user, investigation=inv, **d),
                        success=_("Investigation concluded."))


@login_required
@purpose_prompting
def follow_up_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    ep = _episode_in_scope(request, episode_id)
    child = _open_child(request, ep.child_id, purpose="record follow-up")
    form = f.FollowUpForm(request.POST or None)
    return _simple_form(request, form, child=child, title=_("Record follow-up"),
                        save=lambda d: svc.follow_up_record(actor=request.user, episode=ep, **d),
                        success=_("Follow-up recorded."))


@login_required
@purpose_prompting
def reassign_page(request: HttpRequest, child_id: int) -> HttpResponse:
    if permission(getattr(request.user, "role", "") or "", "child", "reassign") is None:
        raise Http404("not a team leader")  # child/reassign (permissions.toml); the child's scope: the service
    child = _open_child(request, child_id, purpose="reassign")
    rows = sel.team_caseloads(request.user, now=timezone.now(), on=timezone.localdate())
    form = f.ReassignForm(request.POST or None, initial={"on": timezone.localdate()},
                          caseworkers=[(r["caseworker"].pk, f"{r['username']} ({r['children']})") for r in rows])
    return _simple_form(request, form, child=child, title=_("Reassign child"),
                        save=lambda d: svc.child_reassign(actor=request.user, child=child, **d),
                        success=_("Child reassigned; the previous assignment is kept in the history."))


def _in_scope(request: HttpRequest, model: type[_M], pk: int) -> _M:
    """The record, when its child is one the user may see; 404 otherwise, audited like a refused
    child (the record's child id when it exists, the record's kind and id in the purpose)."""
    try:
        return get_object_or_404(model.objects.filter(child__in=children_visible_to(request.user))
                                 .select_related("child"), pk=pk)
    except Http404:
        child_id = model._default_manager.filter(pk=pk).values_list("child_id", flat=True).first()
        audit_record(actor=request.user, child_id=child_id, action="read",
                     endpoint=request.resolver_match.view_name if request.resolver_match else request.path,
                     purpose=f"refused: not in scope ({model._meta.model_name} {pk})")
        raise


def _episode_in_scope(request: HttpRequest, episode_id: int) -> m.Episode:
    return _in_scope(request, m.Episode, episode_id)


@login_required
@purpose_prompting
def placement_breakdown_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """End a placement as a breakdown; shows the child's age and the placement's length (derived)."""
    ep = _episode_in_scope(request, episode_id)
    child = _open_child(request, ep.child_id, purpose="placement breakdown")
    form = f.BreakdownForm(request.POST or None, initial={"version": ep.version,
                                                          "end_date": timezone.localdate()})
    on = form.cleaned_data["end_date"] if form.is_bound and form.is_valid() else timezone.localdate()
    facts = svc.placement_facts(ep, on=on) if ep.end_date is None else svc.placement_facts(ep, on=ep.end_date)
    facts = {_("Intervention"): episode_label(ep),
             _("Placed from"): ep.start_date.isoformat(),
             _("Child's age (years)"): facts["age_years"],
             _("Length of the placement (days)"): facts["duration_days"]}
    return _simple_form(request, form, child=child, title=_("Register placement breakdown"), facts=facts,
                        save=lambda d: svc.placement_breakdown(actor=request.user, episode=ep, **d),
                        success=_("Placement breakdown registered."))


@login_required
@purpose_prompting
def supervision_visit_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    ep = _episode_in_scope(request, episode_id)
    child = _open_child(request, ep.child_id, purpose="record supervision visit")
    form = f.SupervisionVisitForm(request.POST or None)
    return _simple_form(request, form, child=child, title=_("Record supervision visit"),
                        save=lambda d: svc.supervision_visit_record(actor=request.user, episode=ep, **d),
                        success=_("Supervision visit recorded."))


@login_required
@purpose_prompting
def child_conversation_new(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _open_child(request, child_id, purpose="record child conversation")
    form = f.ChildConversationForm(request.POST or None)
    return _simple_form(request, form, child=child, title=_("Record child conversation"),
                        save=lambda d: svc.child_conversation_record(actor=request.user, child=child, **d),
                        success=_("Child conversation recorded."))


@login_required
@purpose_prompting
def plan_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's current plan: a new plan if there is none, else revise the latest one."""
    child = _open_child(request, child_id, purpose="plan")
    plan = child.plans.order_by("-made_on", "-pk").first()
    if plan is None:
        form = f.PlanForm(request.POST or None)
        return _simple_form(request, form, child=child, title=_("Record the child's plan"),
                            save=lambda d: svc.plan_record(actor=request.user, child=child, **d),
                            success=_("Plan recorded."))
    form = f.PlanEditForm(request.POST or None, initial={
        "version": plan.version, "made_on": plan.made_on, "goals": "\n".join(plan.goals or [])})
    history = [{"version": r.version, "replaced_at": r.replaced_at,
                "text": f"{r.made_on.isoformat()}: {'; '.join(r.goals or [])}"}
               for r in plan.revisions.order_by("-version")]
    return _simple_form(request, form, child=child, title=_("Revise the child's plan"), history=history,
                        save=lambda d: svc.plan_update(actor=request.user, plan=plan, **d),
                        success=_("Plan revised; the earlier version is kept."))


@login_required
@purpose_prompting
def complaint_new(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _open_child(request, child_id, purpose="record complaint")
    form = f.ComplaintForm(request.POST or None)
    return _simple_form(request, form, child=child, title=_("Record complaint and outcome"),
                        save=lambda d: svc.complaint_record(actor=request.user, child=child, **d),
                        success=_("Complaint recorded."))


@login_required
@purpose_prompting
def case_close_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """Close the child's case with a reason; the child's records become read-only."""
    child = _open_child(request, child_id, purpose="close case")
    form = f.CaseCloseForm(request.POST or None)
    return _simple_form(request, form, child=child, title=_("Close case"),
                        save=lambda d: svc.case_close(actor=request.user, child=child, **d),
                        success=_("Case closed: the child's records are read-only."))


@login_required
@purpose_prompting
def case_reopen_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """Reopen a closed case with a reason (audited); the records can be written again."""
    child = _open_child(request, child_id, purpose="reopen case")
    closure = sel.case_closure(child)
    facts: dict[str, object] | None = None
    if closure is not None:
        facts = {_("Closed on"): closure.closed_on.isoformat(), _("Reason for closing"): closure.reason}
    form = f.CaseReopenForm(request.POST or None)
    return _simple_form(request, form, child=child, title=_("Reopen case"), facts=facts,
                        save=lambda d: svc.case_reopen(actor=request.user, child=child, **d),
                        success=_("Case reopened."))
