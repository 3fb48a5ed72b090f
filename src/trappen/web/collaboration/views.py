"""Pages of the collaboration around the child: parse input, check, call one service or selector.

Partners (the ``meeting`` grant at ``linked`` scope): every page that shows a child first asks
:func:`~trappen.web.collaboration.selectors.sharing_check` (audited); without a consent or a legal
basis covering their organisation the page is a clear refusal (403), not the data. Caseworkers and
team leaders open the child as the case page does (purpose, audit, 404 out of scope).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trappen.collaboration import legal_bases
from trappen.errors import InvalidInput
from trappen.privacy.roles import Scope, permission
from trappen.web import rules
from trappen.web.audit.services import audit_list, audit_record
from trappen.web.casework.views import _form_errors, _open_child
from trappen.web.collaboration import forms as f
from trappen.web.collaboration import minutes as mn
from trappen.web.collaboration import overview as ov
from trappen.web.collaboration import selectors as sel
from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import (
    Action,
    Consent,
    FamilyGroupConference,
    Meeting,
    Membership,
    Organisation,
    SharingBasis,
)
from trappen.web.register import models as m
from trappen.web.scope import may
from trappen.web.security.purpose import purpose_prompting

CHILDREN_PER_PAGE = 50
ACTIONS_SHOWN = 50
ACTION_DAYS = 14
MINUTES_SHOWN = 10
"""My day shows the latest minutes received (all on /collaboration/minutes/)."""
"""My day shows the agreed actions overdue or due within this many days (the rest are counted)."""


def _grant(request: HttpRequest, resource: str, action: str) -> Scope:
    scope = permission(getattr(request.user, "role", "") or "", resource, action)
    if scope is None:
        raise PermissionDenied(f"{resource}/{action} is not granted to this role (permissions.toml)")
    return scope


def _partner_child(request: HttpRequest, child_id: int) -> m.Child:
    """A child linked to the partner (shared or not: the caller's sharing check decides); 404
    for any other child, audited."""
    child = sel.partner_children(request.user, on=timezone.localdate()).filter(pk=child_id).first()
    if child is None:
        audit_record(actor=request.user, child_id=child_id, action="read", endpoint=request.path,
                     purpose="refused: not linked")
        raise Http404("no such child")
    return child


def _refusal(request: HttpRequest, share: sel.Sharing, *, what: str) -> HttpResponse:
    return render(request, "collaboration/refused.html", {"share": share, "what": what,
                                                          "bases": list(legal_bases().values())}, status=403)


@login_required
def collab_day(request: HttpRequest) -> HttpResponse:
    """A partner's My day (the actions they own, the meetings they attend, their children) or a
    caseworker's collaboration day (their actions and planned meetings)."""
    scope = _grant(request, "meeting", "view")
    today = timezone.localdate()
    if scope == Scope.TEAM:
        return redirect("collab_overview")
    if scope != Scope.LINKED:
        actions = list(sel.actions_owned(request.user))
        meetings = list(Meeting.objects.filter(planned_by_id=request.user.pk, held_on__gte=today)
                        .select_related("child").order_by("held_on")[:50])
        minutes, _hidden = mn.received_rows(request.user, limit=MINUTES_SHOWN)
        audit_list(actor=request.user, endpoint="collab_day",
                   child_ids=sorted({a.child_id for a in actions} | {mt.child_id for mt in meetings}
                                    | {r.meeting.child_id for r in minutes}))
        return render(request, "collaboration/day.html", {"partner": False, "actions": actions,
                                                          "meetings": meetings, "today": today, "minutes": minutes})
    children = list(sel.partner_children(request.user, on=today).values_list("pk", "name", "birth_date"))
    shares = sel.sharing_for(request.user, [c[0] for c in children], on=today)
    allowed = [{"id": pk, "name": name, "birth_date": born, "share": shares[pk]} for pk, name, born in children
               if "identity" in shares[pk]]
    refused = [pk for pk, _n, _b in children if "identity" not in shares[pk]]
    page = Paginator(allowed, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    actions = [a for a in sel.actions_owned(request.user) if "actions" in shares.get(a.child_id, ())]
    horizon = today + dt.timedelta(days=ACTION_DAYS)
    due = [a for a in actions if a.due_on <= horizon][:ACTIONS_SHOWN]
    meetings = [mt for mt in sel.meetings_attended(request.user, on=today).filter(held_on__gte=today)[:50]
                if "meetings" in shares.get(mt.child_id, ())]
    minutes, _hidden = mn.received_rows(request.user, limit=MINUTES_SHOWN)
    named: set[int] = {int(c["id"]) for c in page.object_list} | {a.child_id for a in due} | {  # type: ignore[call-overload]
        mt.child_id for mt in meetings} | {r.meeting.child_id for r in minutes}
    audit_list(actor=request.user, endpoint="collab_day", child_ids=sorted(named),
               purpose="sharing_check identity=allowed")
    if refused:
        audit_list(actor=request.user, endpoint="collab_day", child_ids=refused,
                   purpose="sharing_check identity=refused:no_consent_or_basis")
    return render(request, "collaboration/day.html", {
        "partner": True, "children": page.object_list, "page": page, "allowed_count": len(allowed),
        "refused": len(refused), "actions": due, "later": len(actions) - len(due), "meetings": meetings,
        "minutes": minutes,
        "organisations": sel.organisations_of(request.user, on=today), "today": today, "action_days": ACTION_DAYS})


@login_required
@purpose_prompting
def child_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """The collaboration around one child: for a partner only what is shared with their
    organisation today; for the caseworker the organisations, consents, meetings and supports."""
    scope = _grant(request, "meeting", "view")
    today = timezone.localdate()
    if scope == Scope.LINKED:
        child = _partner_child(request, child_id)
        share = sel.sharing_check(request.user, child.pk, endpoint=request.path)
        if "identity" not in share:
            return _refusal(request, share, what=_("this child"))
        meetings = [mt for mt in sel.meetings_attended(request.user, on=today).filter(child=child)] \
            if "meetings" in share else []
        actions = list(sel.actions_owned(request.user).filter(child=child)) if "actions" in share else []
        return render(request, "collaboration/child_partner.html", {
            "child": child, "share": share, "episodes": sel.partner_interventions(request.user, child, on=today),
            "meetings": meetings, "actions": actions,
            "step": _step(child) if "step" in share else None,
            "can_step1": share.organisation is not None and share.organisation.kind in svc.STEP1_KINDS
            and may(request.user, "step1_support", "create", child=child)})
    child = _open_child(request, child_id, purpose="collaboration")
    return render(request, "collaboration/child_staff.html", {
        "child": child, "organisations": sel.organisations_for_child(child, on=today),
        "consents": sel.consents_of(child), "bases": sel.bases_of(child),
        "meetings": sel.meetings_of_child(child), "supports": sel.step1_supports(child),
        "can_plan": may(request.user, "meeting", "create", child=child),
        "can_consent": may(request.user, "consent", "create", child=child), "today": today,
        "notifications": child.notifications.annotate(n_consultations=Count("consultations"))
        .order_by("-received_at")[:20],
        "can_link": may(request.user, "consultation", "change", child=child)})


def _step(child: m.Child) -> int:
    from trappen.web.register.services import child_current_step

    return child_current_step(child, on=timezone.localdate())


@login_required
@purpose_prompting
def meeting_new(request: HttpRequest, child_id: int) -> HttpResponse:
    _grant(request, "meeting", "create")
    child = _open_child(request, child_id, purpose="plan meeting")
    if not may(request.user, "meeting", "create", child=child):
        raise PermissionDenied("meeting/create: outside the grant's scope for this child")
    today = timezone.localdate()
    orgs = list(sel.organisations_for_child(child, on=today))
    users = (get_user_model().objects.filter(memberships__organisation__in=orgs, role="partner", is_active=True)
             .distinct().order_by("username"))
    form = f.MeetingForm(request.POST or None, initial={"held_on": today},
                         organisations=[(o.pk, o.name) for o in orgs],
                         partners=[(u.pk, u.get_full_name() or u.username) for u in users])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        others = [("parent", n) for n in d["parents"].splitlines() if n.strip()]
        others += [("network_person", n) for n in d["network"].splitlines() if n.strip()]
        if d["child_takes_part"]:
            others.append(("child", _("The child")))
        if d["support_person"].strip():
            others.append(("support_person", d["support_person"]))
        try:
            meeting = svc.meeting_plan(actor=request.user, child=child, kind=d["kind"], held_on=d["held_on"],
                                       organisation_ids=[int(x) for x in d["organisations"]],
                                       partner_user_ids=[int(x) for x in d["partners"]], others=others)
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Meeting planned."))
            return redirect("meeting_detail", meeting_id=meeting.pk)
    return render(request, "collaboration/meeting_form.html", {"child": child, "form": form},
                  status=422 if form.errors else 200)


def _owners(meeting: Meeting) -> list[tuple[int, str]]:
    out: dict[int, str] = {}
    for p in meeting.participants.all():
        if p.user_id is not None:
            out[p.user_id] = p.user.get_full_name() or p.user.username  # type: ignore[union-attr]
        elif p.organisation_id is not None:
            for mb in Membership.objects.filter(organisation_id=p.organisation_id).select_related("user"):
                out[mb.user_id] = f"{mb.user.get_full_name() or mb.user.username} ({p.organisation})"
    return sorted(out.items(), key=lambda kv: kv[1])


@login_required
@purpose_prompting
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One meeting: participants, the views, decisions and agreed actions; the caseworker writes
    the minutes and assigns actions here; a partner who takes part reads it within the consent."""
    scope = _grant(request, "meeting", "view")
    meeting = Meeting.objects.filter(pk=meeting_id).select_related("child").first()
    if meeting is None:
        raise Http404("no such meeting")
    today = timezone.localdate()
    if scope == Scope.LINKED:
        _partner_child(request, meeting.child_id)
        if not sel.attends(request.user, meeting, on=today):
            raise Http404("not a participant")
        share = sel.sharing_check(request.user, meeting.child_id, endpoint=request.path,
                                  groups=("identity", "meetings", "actions"))
        if "meetings" not in share:
            return _refusal(request, share, what=_("this meeting"))
        actions = list(meeting.actions.select_related("owner")) if "actions" in share else []
        return render(request, "collaboration/meeting.html", {
            "meeting": meeting, "child": meeting.child if "identity" in share else None,
            "participants": meeting.participants.select_related("user", "organisation"), "actions": actions,
            "partner": True})
    child = _open_child(request, meeting.child_id, purpose="read meeting")
    can_change = may(request.user, "meeting", "change", child=child)
    minutes = f.MinutesForm(request.POST if request.POST.get("form") == "minutes" else None, initial={
        "child_view": meeting.child_view, "parents_view": meeting.parents_view, "decisions": meeting.decisions})
    action_form = f.ActionForm(request.POST if request.POST.get("form") == "action" else None,
                               owners=_owners(meeting), initial={"due_on": meeting.held_on})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("meeting/change: outside the grant's scope for this child")
        try:
            if request.POST.get("form") == "minutes" and minutes.is_valid():
                svc.minutes_write(actor=request.user, meeting=meeting, **minutes.cleaned_data)
                messages.success(request, _("Minutes saved."))
                return redirect("meeting_detail", meeting_id=meeting.pk)
            if request.POST.get("form") == "action" and action_form.is_valid():
                d = action_form.cleaned_data
                owner = get_user_model().objects.get(pk=int(d["owner"]))
                svc.action_assign(actor=request.user, meeting=meeting, text=d["text"], owner=owner, due_on=d["due_on"])
                messages.success(request, _("Action assigned."))
                return redirect("meeting_detail", meeting_id=meeting.pk)
        except InvalidInput as exc:
            _form_errors(minutes if request.POST.get("form") == "minutes" else action_form, exc)
    return render(request, "collaboration/meeting.html", {
        "meeting": meeting, "child": child, "partner": False, "can_change": can_change,
        "participants": meeting.participants.select_related("user", "organisation"),
        "actions": list(meeting.actions.select_related("owner")), "minutes_form": minutes,
        "dispatches": list(meeting.dispatches.order_by("-sent_at", "pk")[:200]),
        "action_form": action_form}, status=422 if (minutes.errors or action_form.errors) else 200)


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    """The owner marks an agreed action done."""
    _grant(request, "meeting", "view")
    action = Action.objects.filter(pk=action_id).first()
    if action is None or action.owner_id != request.user.pk and sel.is_partner(request.user):
        raise Http404("no such action")
    if sel.is_partner(request.user):
        _partner_child(request, action.child_id)
    svc.action_set_status(actor=request.user, action=action, status="done")
    messages.success(request, _("Action marked as done."))
    return redirect(request.POST.get("next") or "collab_day")


@login_required
@purpose_prompting
def consents(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's consents and recorded legal bases; the caseworker records new ones here."""
    _grant(request, "consent", "view")
    child = _open_child(request, child_id, purpose="consents")
    today = timezone.localdate()
    orgs = [(o.pk, o.name) for o in Organisation.objects.order_by("name")]
    language = (get_language() or "da")[:2]
    consent_form = f.ConsentForm(request.POST if request.POST.get("form") == "consent" else None,
                                 organisations=orgs, initial={"valid_from": today})
    basis_form = f.BasisForm(request.POST if request.POST.get("form") == "basis" else None, organisations=orgs,
                             bases=[(b.code, b.label(language)) for b in legal_bases().values()],
                             initial={"valid_from": today})
    if request.method == "POST":
        try:
            if request.POST.get("form") == "consent" and consent_form.is_valid():
                d = consent_form.cleaned_data
                svc.consent_record(actor=request.user, child=child, giver=d["giver"], field_groups=d["field_groups"],
                                   organisation_ids=[int(x) for x in d["organisations"]], purpose=d["purpose"],
                                   valid_from=d["valid_from"], valid_to=d["valid_to"], sole_custody=d["sole_custody"])
                messages.success(request, _("Consent recorded."))
                return redirect("collab_consents", child_id=child.pk)
            if request.POST.get("form") == "basis" and basis_form.is_valid():
                d = basis_form.cleaned_data
                svc.basis_record(actor=request.user, child=child, organisation=Organisation.objects.get(
                    pk=int(d["organisation"])), basis=d["basis"], reason=d["reason"], valid_from=d["valid_from"],
                    valid_to=d["valid_to"])
                messages.success(request, _("Legal basis recorded."))
                return redirect("collab_consents", child_id=child.pk)
        except InvalidInput as exc:
            _form_errors(consent_form if request.POST.get("form") == "consent" else basis_form, exc)
    return render(request, "collaboration/consents.html", {
        "child": child, "consents": sel.consents_of(child), "bases": sel.bases_of(child),
        "legal_bases": legal_bases(), "consent_form": consent_form, "basis_form": basis_form,
        "can_change": may(request.user, "consent", "create", child=child), "language": language},
        status=422 if (consent_form.errors or basis_form.errors) else 200)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Record a withdrawal: sharing that rests on this consent stops at once."""
    _grant(request, "consent", "change")
    consent = Consent.objects.filter(pk=consent_id).first()
    if consent is None:
        raise Http404("no such consent")
    try:
        svc.consent_withdraw(actor=request.user, consent=consent)
    except InvalidInput as exc:
        messages.error(request, "; ".join(p.message for p in exc.problems))
    else:
        messages.success(request, _("Consent withdrawn; sharing that rested on it has stopped."))
    return redirect("collab_consents", child_id=consent.child_id)


@login_required
@require_POST
def basis_end(request: HttpRequest, basis_id: int) -> HttpResponse:
    _grant(request, "consent", "change")
    row = SharingBasis.objects.filter(pk=basis_id).first()
    if row is None:
        raise Http404("no such legal basis")
    svc.basis_end(actor=request.user, row=row)
    messages.success(request, _("Legal basis ended; sharing that rested on it has stopped."))
    return redirect("collab_consents", child_id=row.child_id)


@login_required
def step1_new(request: HttpRequest, child_id: int) -> HttpResponse:
    """A daycare, school or health visitor registers the step-1 support it gives a linked child."""
    if not sel.is_partner(request.user):
        raise PermissionDenied("step-1 support is registered by the partner that gives it")
    _grant(request, "step1_support", "create")
    child = _partner_child(request, child_id)
    share = sel.sharing_check(request.user, child.pk, endpoint=request.path,
                              groups=("identity", "early_interventions"))
    if "early_interventions" not in share or share.organisation is None:
        return _refusal(request, share, what=_("step-1 support for this child"))
    language = (get_language() or "da")[:2]
    codes = [(t.code, t.name_da if language == "da" else t.name_en) for t in rules.catalogue().for_step(1)]
    today = timezone.localdate()
    form = f.Step1Form(request.POST or None, codes=codes,
                       initial={"start_date": today, "planned_review": today.replace(day=1) + _months(3)})
    if request.method == "POST" and form.is_valid():
        try:
            svc.step1_support_register(actor=request.user, child=child, organisation=share.organisation,
                                       **form.cleaned_data)
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Step-1 support registered; it is on the child's staircase."))
            return redirect("collab_child", child_id=child.pk)
    return render(request, "collaboration/step1_form.html", {"child": child, "form": form,
                                                             "organisation": share.organisation},
                  status=422 if form.errors else 200)


def _months(n: int) -> dt.timedelta:
    """About ``n`` months."""
    return dt.timedelta(days=31 * n)


@login_required
def consultations(request: HttpRequest) -> HttpResponse:
    """Record an anonymous consultation (no child identity) and see one's own."""
    _grant(request, "consultation", "create")
    today = timezone.localdate()
    orgs = sel.organisations_of(request.user, on=today)
    form = f.ConsultationForm(request.POST or None, initial={
        "held_on": today, "partner_kind": orgs[0].kind if orgs else "school"})
    if request.method == "POST" and form.is_valid():
        try:
            svc.consultation_record(actor=request.user, organisation=orgs[0] if orgs else None, **form.cleaned_data)
        except InvalidInput as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Consultation recorded (no child identity is kept)."))
            return redirect("collab_consultations")
    return render(request, "collaboration/consultations.html", {
        "form": form, "rows": sel.consultations_by(request.user)[:50]}, status=422 if form.errors else 200)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The team leader's collaboration overview by school and daycare, and the KPIs."""
    if _grant(request, "meeting", "view") != Scope.TEAM:
        raise PermissionDenied("the collaboration overview is the team leader's (meeting/view at team scope)")
    today = timezone.localdate()
    return render(request, "collaboration/overview.html", ov.overview(request.user, today=today))


@login_required
@purpose_prompting
def network(request: HttpRequest, child_id: int) -> HttpResponse:
    """The family's network and its family group conferences (familierådslagning); the
    responsible caseworker adds persons and starts or updates a conference here."""
    _grant(request, "meeting", "view")
    if sel.is_partner(request.user):
        raise PermissionDenied("the family's network is not shared with partners")
    child = _open_child(request, child_id, purpose="family network")
    can_change = may(request.user, "meeting", "create", child=child)
    which = request.POST.get("form")
    person_form = f.NetworkPersonForm(request.POST if which == "person" else None)
    fgc = FamilyGroupConference.objects.filter(child=child).order_by("-referred_on", "-pk").first()
    fgc_form = f.FamilyGroupConferenceForm(request.POST if which == "fgc" else None, initial={
        "coordinator": fgc.coordinator, "referred_on": fgc.referred_on, "preparation": fgc.preparation,
        "conference_on": fgc.conference_on, "family_plan": fgc.family_plan, "follow_up_on": fgc.follow_up_on,
    } if fgc else {"referred_on": timezone.localdate()})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("meeting/create: outside the grant's scope for this child")
        form = person_form if which == "person" else fgc_form
        try:
            if which == "person" and person_form.is_valid():
                svc.network_person_add(actor=request.user, child=child, **person_form.cleaned_data)
                messages.success(request, _("Network person added."))
                return redirect("collab_network", child_id=child.pk)
            if which == "fgc" and fgc_form.is_valid():
                svc.family_group_conference_save(actor=request.user, child=child, fgc=fgc, **fgc_form.cleaned_data)
                messages.success(request, _("Family group conference saved."))
                return redirect("collab_network", child_id=child.pk)
        except InvalidInput as exc:
            _form_errors(form, exc)
    return render(request, "collaboration/network.html", {
        "child": child, "persons": child.network_persons.order_by("name"),
        "conferences": FamilyGroupConference.objects.filter(child=child).order_by("-referred_on"),
        "person_form": person_form, "fgc_form": fgc_form, "can_change": can_change, "fgc": fgc},
        status=422 if (person_form.errors or fgc_form.errors) else 200)


@login_required
@purpose_prompting
def goals(request: HttpRequest, child_id: int) -> HttpResponse:
    """The goals of the child's current plan, followed up one by one (progress, achieved, the
    child's view); the responsible caseworker records a follow-up here."""
    _grant(request, "meeting", "view")
    if sel.is_partner(request.user):
        raise PermissionDenied("the plan's goals are not shared with partners")
    child = _open_child(request, child_id, purpose="plan goals")
    plan = m.Plan.objects.filter(child=child).order_by("-made_on", "-pk").first()
    can_change = plan is not None and may(request.user, "meeting", "change", child=child)
    texts = list(plan.goals or []) if plan else []
    form = f.GoalFollowUpForm(request.POST or None, goals=list(enumerate(texts)),
                              initial={"followed_up_on": timezone.localdate()})
    if request.method == "POST" and plan is not None:
        if not can_change:
            raise PermissionDenied("meeting/change: outside the grant's scope for this child")
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.goal_follow_up_record(actor=request.user, plan=plan, goal_index=int(d["goal"]),
                                          followed_up_on=d["followed_up_on"], progress=d["progress"],
                                          achieved={"yes": True, "no": False}.get(d["achieved"]),
                                          child_view=d["child_view"])
            except InvalidInput as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Goal followed up."))
                return redirect("collab_goals", child_id=child.pk)
    rows = sel.goal_rows(plan) if plan else []
    return render(request, "collaboration/goals.html", {"child": child, "plan": plan, "rows": rows, "form": form,
                                                        "can_change": can_change},
                  status=422 if form.errors else 200)
