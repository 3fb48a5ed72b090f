"""Page views: parse input, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trappen.errors import EscalationNeedsJustification, InvalidInput, StepNotAllowed
from trappen.privacy.roles import PARTNER_INTERVENTION_STEPS
from trappen.staircase import MIN_REASON_CHARS
from trappen.web import rules
from trappen.web.approvals.models import ApprovalRequest
from trappen.web.approvals.selectors import approvals_for_child
from trappen.web.approvals.services import intervention_request_or_start
from trappen.web.audit.services import audit_list, audit_record
from trappen.web.casework.my_day import children_in_care
from trappen.web.casework.selectors import CASE_PAGE_RECORDS, child_case_page, episode_to_end_on_step_up
from trappen.web.disclosure import SUPPRESSION_MARK, unsuppressed_districts
from trappen.web.journal.views import journal_case_context
from trappen.web.labels import label
from trappen.web.pages.forms import REASON_STEPS, InterventionEndForm, InterventionStartForm
from trappen.web.pages.timeline import timeline_svg
from trappen.web.register import models as m
from trappen.web.register.selectors import (
    caseload_for_caseworker,
    child_for_user,
    child_timeline,
    children_visible_to,
    children_with_step,
    staircase_overview_table,
)
from trappen.web.register.services import intervention_end
from trappen.web.scope import writes_on
from trappen.web.security.purpose import purpose_prompting, require_purpose

MY_CHILDREN_LIMIT = 500


def _today() -> dt.date:
    return timezone.localdate()


def _step_names() -> dict[int, str]:
    language = get_language() or "da"
    return {s.number: s.name(language[:2]) for s in rules.staircase().steps}


def home(request: HttpRequest) -> HttpResponse:
    return redirect("overview")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Children on each step today, by district: a chart and the same numbers as a table."""
    today = _today()
    steps = list(rules.staircase().numbers)
    names = _step_names()
    table = staircase_overview_table(on=today, steps=steps, unsuppressed=unsuppressed_districts(request.user))
    rows = [{"code": code, "name": name, "counts": counts, "total": total}
            for code, name, counts, total in table.rows]
    chart = {"labels": [f"{s}. {names[s]}" for s in steps],
             "datasets": [{"label": r["name"], "data": r["counts"]} for r in rows]}
    return render(request, "pages/overview.html", {
        "today": today, "steps": [(s, names[s]) for s in steps], "rows": rows,
        "totals": table.step_totals, "grand_total": table.total, "chart": chart, "mark": SUPPRESSION_MARK,
        "suppressed": any(c is None for _code, _name, counts, _total in table.rows for c in counts),
        "step_status": _step_status(request.user, on=today)})


def _step_status(user: object, *, on: dt.date) -> list[object]:
    """The steps' availability (trappen.web.offers) for the team leader's and managers' overview:
    roles that follow the offers (``offer``/``view``) but hold no caseload of their own."""
    from trappen.privacy.roles import Scope, permission

    role = getattr(user, "role", "") or ""
    if permission(role, "offer", "view") is None or permission(role, "caseload", "view") == Scope.OWN:
        return []
    from trappen.web.offers.availability import step_availability

    return list(step_availability(on=on))


@login_required
def my_children(request: HttpRequest) -> HttpResponse:
    """A caseworker's caseload (others: the children they may open) with each current step."""
    today = _today()
    user = request.user
    if getattr(user, "role", None) == "caseworker":
        children = caseload_for_caseworker(user, on=today)
    else:
        # only children in care now: not every child who ever lived in the districts (#15)
        children = children_with_step(children_in_care(user, children_visible_to(user), on=today),
                                      on=today, highest_first=True)
    names = _step_names()
    rows = [{"child": c, "step": c.current_step, "step_name": names.get(c.current_step, "")}
            for c in children.select_related("district")[:MY_CHILDREN_LIMIT]]
    audit_list(actor=user, endpoint="my_children", child_ids=[r["child"].pk for r in rows])
    return render(request, "pages/my_children.html", {"rows": rows, "limit": MY_CHILDREN_LIMIT})


def _open_child(request: HttpRequest, child_id: int, *, purpose: str) -> m.Child:
    """The child, audited; an out-of-scope attempt is audited too, then 404."""
    endpoint = request.resolver_match.view_name if request.resolver_match else request.path
    try:
        child = child_for_user(request.user, child_id)
    except Exception:
        audit_record(actor=request.user, child_id=child_id, action="read", endpoint=endpoint,
                     purpose=f"refused: not in scope ({purpose})")
        raise
    chosen = require_purpose(request, child.pk)  # PurposeRequired: the view answers with the prompt
    audit_record(actor=request.user, child_id=child.pk, action="read", endpoint=endpoint, purpose=chosen)
    return child


@login_required
@purpose_prompting
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's case page: current step and plan goals, open deadlines, the step timeline,
    notifications, investigations, interventions with their justification, follow-ups. A
    partner sees only the shared fields and the interventions on the early steps partners take
    part in (``[partner] intervention_steps`` in the permission table). Every read is audited."""
    child = _open_child(request, child_id, purpose="casework")
    today = _today()
    role = getattr(request.user, "role", None)
    can = writes_on(request.user, child)  # the permission table's write scope: links only when allowed
    context: dict[str, object] = {"child": child, "step_names": _step_names(), "can": can,
                                  "can_write": any(can.values())}
    if role == "partner":  # need to know: the step 1-2 interventions their organisation gives, no step history
        from trappen.web.collaboration.selectors import partner_interventions

        context |= {"episodes": partner_interventions(request.user, child, on=today, endpoint=request.path),
                    "svg": "", "partner_steps": PARTNER_INTERVENTION_STEPS}
        return render(request, "pages/child.html", context)
    # the child's records read once for all the page's sections (timeline, deadlines, casework history)
    child = (children_with_step(m.Child.objects.filter(pk=child.pk), on=today).select_related("district")
             .prefetch_related(*CASE_PAGE_RECORDS).get())
    timeline = child_timeline(child)
    case = child_case_page(child, now=timezone.now(), today=today)
    context |= case | {
        "svg": timeline_svg(timeline["trajectory"] or [(child.entry_date, 0)], today=today,
                            top_step=rules.staircase().top),
        "child": child, "placement_steps": rules.staircase().placement_steps,
        "can_close": can["child_change"], "can_write": any(can.values()) and case["closure"] is None,
        "can": {k: v and case["closure"] is None for k, v in can.items()},
        "can_reassign": case["closure"] is None and can["child_reassign"]}
    # journal and decisions: case_notes grants, audited
    context |= journal_case_context(request, child, closed=case["closure"] is not None)
    context["approvals"] = approvals_for_child(child)  # step-ups awaiting approval (trappen.web.approvals)
    return render(request, "casework/child.html", context)


def _staircase_refusal(form: InterventionStartForm, exc: InvalidInput, *, code: str) -> None:
    """The staircase rules' refusals in the user's language, on the fields they concern, with
    the intervention's name (the core's message names the code)."""
    if isinstance(exc, EscalationNeedsJustification):
        form.add_error(None, _("Moving up to step %(step)s needs a reason why each lower step does not meet "
                               "the need.") % {"step": exc.target_step})
        for step in exc.missing_steps:
            if f"reason_{step}" in form.fields:
                form.add_error(f"reason_{step}", _("Write why step %(step)s does not meet the need "
                                                   "(at least %(n)s characters).") % {"step": step,
                                                                                      "n": MIN_REASON_CHARS})
        return
    steps = rules.catalogue().get(code).steps if code in rules.catalogue() else ()
    form.add_error("step", _("%(intervention)s is an intervention on step %(steps)s only.") % {
        "intervention": label(code, "intervention"), "steps": ", ".join(str(s) for s in steps)})


@login_required
@purpose_prompting
def intervention_new(request: HttpRequest, child_id: int) -> HttpResponse:
    """Start an intervention; the core's refusals become form errors. When another intervention
    runs, the form offers to end it on the start date (a step up, one transaction)."""
    child = _open_child(request, child_id, purpose="start intervention")
    current = episode_to_end_on_step_up(child, on=_today())
    form = InterventionStartForm(request.POST or None, current=current, child=child)
    if request.method == "POST" and "waiting" in request.POST:
        # no free place: the decided intervention waits for one (trappen.web.offers, #17)
        from trappen.web.offers.views import put_on_waiting_list

        return put_on_waiting_list(request, child=child, form=form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = {"actor": request.user, "child": child, "intervention_code": data["intervention_code"],
                 "step": data["step"], "start_date": data["start_date"], "planned_end": data["planned_end"],
                 "justification": form.justification(), "provider": data["provider"], "price": data["price"]}
        # an offer of the catalogue (trappen.web.offers, #17); its name is the provider if none is given
        from trappen.web.offers.selectors import intervention_offer_fields

        start |= intervention_offer_fields(data)
        step_up = current is not None and bool(data.get("end_current"))
        try:
            # a step the approval rules reserve becomes a request for the team leader (approvals.toml)
            result = intervention_request_or_start(
                current=current if step_up else None, current_version=data.get("current_version"),
                without_consent=form.without_consent(), **start)
        except PermissionDenied:
            raise
        except (EscalationNeedsJustification, StepNotAllowed) as exc:
            _staircase_refusal(form, exc, code=data["intervention_code"])
        except InvalidInput as exc:
            for problem in exc.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message)
        else:
            if isinstance(result, ApprovalRequest):
                messages.success(request, _("%(new)s awaits approval: it starts when the team leader approves "
                                            "it.") % {"new": label(data["intervention_code"], "intervention")})
                return redirect("child_detail", child_id=child.pk)
            started = label(data["intervention_code"], "intervention")
            if current is not None and data.get("end_current"):
                messages.success(request, _("%(new)s started; %(old)s ended on %(on)s.") % {
                    "new": started, "old": label(current.intervention_code, "intervention"),
                    "on": data["start_date"].isoformat()})
            else:
                messages.success(request, _("%(new)s started.") % {"new": started})
            return redirect("child_detail", child_id=child.pk)
    return render(
        request,
        "pages/intervention_form.html",
        {"child": child, "form": form,
         "reason_fields": [(form[f"reason_{s}"], form[f"noplace_{s}"]) for s in REASON_STEPS]},
    )


@login_required
@purpose_prompting
def intervention_stop(request: HttpRequest, episode_id: int) -> HttpResponse:
    """End an ongoing intervention."""
    episode = get_object_or_404(m.Episode.objects.filter(child__in=children_visible_to(request.user)), pk=episode_id)
    child = _open_child(request, episode.child_id, purpose="end intervention")
    form = InterventionEndForm(request.POST or None, initial={"version": episode.version})
    if request.method == "POST" and form.is_valid():
        try:
            intervention_end(actor=request.user, episode=episode, **form.cleaned_data)
        except InvalidInput as exc:
            for problem in exc.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        else:
            messages.success(request, _("%(intervention)s ended.") % {
                "intervention": label(episode.intervention_code, "intervention")})
            return redirect("child_detail", child_id=child.pk)
    return render(request, "pages/intervention_end.html", {"child": child, "episode": episode, "form": form})
