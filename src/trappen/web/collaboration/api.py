"""``/api/v1/collaboration/...``: the collaboration records, with the same checks as the pages.

Partners: every read of a child's records goes through the sharing check (consent or legal basis,
audited); without it the answer is 403 with the reason, not the data. Staff: the permission
table's ``meeting``/``consent`` grants, the child opened within scope (404 otherwise) and the
purpose of a read that is not one's own case (``X-Purpose``), audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from trappen.privacy.roles import permission
from trappen.web.audit.services import audit_list, audit_record
from trappen.web.collaboration import minutes as mn
from trappen.web.collaboration import selectors as sel
from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import Action
from trappen.web.register.selectors import children_visible_to
from trappen.web.scope import may
from trappen.web.security.purpose import api_purpose

router = Router(tags=["collaboration"])


class ActionOut(Schema):
    id: int
    child_id: int
    meeting_id: int
    text: str
    owner_kind: str
    due_on: dt.date
    status: str
    done_on: dt.date | None


class MeetingOut(Schema):
    id: int
    child_id: int
    kind: str
    held_on: dt.date
    decisions: str
    actions: list[ActionOut]


class ConsentOut(Schema):
    id: int
    giver: str
    field_groups: list[str]
    organisation_ids: list[int]
    purpose: str
    valid_from: dt.date
    valid_to: dt.date | None
    withdrawn_on: dt.date | None


class MinutesOut(Schema):
    id: int
    meeting_id: int
    child_id: int
    sent_at: dt.datetime
    channel: str
    status: str
    parts: list[str]
    content: dict


class ConsultationIn(Schema):
    held_on: dt.date
    age: int
    concern: str
    partner_kind: str
    advice: str
    outcome: str


def _grant(user: object, resource: str, action: str) -> None:
    if permission(getattr(user, "role", "") or "", resource, action) is None:
        raise PermissionDenied(f"{resource}/{action} is not granted to this role (permissions.toml)")


def _action(a: Action) -> dict[str, object]:
    return {"id": a.pk, "child_id": a.child_id, "meeting_id": a.meeting_id, "text": a.text,
            "owner_kind": a.owner_kind, "due_on": a.due_on, "status": a.status, "done_on": a.done_on}


@router.get("/actions", response=list[ActionOut])
def actions_mine(request: HttpRequest) -> list[dict[str, object]]:
    """The open agreed actions the caller owns (a partner's only where sharing holds today)."""
    user = request.auth  # type: ignore[attr-defined]  # the API token's user (BearerToken)
    _grant(user, "meeting", "view")
    rows = list(sel.actions_owned(user))
    if sel.is_partner(user):
        shares = sel.sharing_for(user, {a.child_id for a in rows}, on=timezone.localdate(), groups=("actions",))
        rows = [a for a in rows if "actions" in shares[a.child_id]]
    audit_list(actor=user, endpoint="api collaboration actions", child_ids=sorted({a.child_id for a in rows}))
    return [_action(a) for a in rows]


@router.get("/children/{child_id}/meetings", response=list[MeetingOut])
def child_meetings(request: HttpRequest, child_id: int) -> list[dict[str, object]]:
    """A child's meetings: all for staff within scope; for a partner those they attend, only while
    a consent or legal basis covers meetings (actions only when it covers actions)."""
    user = request.auth  # type: ignore[attr-defined]  # the API token's user (BearerToken)
    _grant(user, "meeting", "view")
    reach = sel.partner_children(user, on=timezone.localdate()) if sel.is_partner(user) else children_visible_to(user)
    if not reach.filter(pk=child_id).exists():
        audit_record(actor=user, child_id=child_id, action="read", endpoint=request.path,
                     purpose="refused: not in scope")
        raise Http404("no such child")
    today = timezone.localdate()
    if sel.is_partner(user):
        share = sel.sharing_check(user, child_id, endpoint=request.path, groups=("identity", "meetings", "actions"))
        if "meetings" not in share:
            raise PermissionDenied("no valid consent or legal basis covers sharing this child's meetings with "
                                   "your organisation today")
        meetings = sel.meetings_attended(user, on=today).filter(child_id=child_id)
        with_actions = "actions" in share
    else:
        audit_record(actor=user, child_id=child_id, action="read", endpoint=request.path,
                     purpose=api_purpose(request, user, child_id))
        meetings = sel.meetings_of_child(children_visible_to(user).get(pk=child_id))
        with_actions = True
    return [{"id": mt.pk, "child_id": mt.child_id, "kind": mt.kind, "held_on": mt.held_on,
             "decisions": mt.decisions,
             "actions": [_action(a) for a in mt.actions.all()] if with_actions else []} for mt in meetings]


@router.post("/actions/{action_id}/done", response={200: ActionOut})
def action_done(request: HttpRequest, action_id: int) -> dict[str, object]:
    """The owner marks an agreed action done (a partner only while sharing holds)."""
    user = request.auth  # type: ignore[attr-defined]  # the API token's user (BearerToken)
    _grant(user, "meeting", "view")
    action = Action.objects.filter(pk=action_id).first()
    if action is None or (sel.is_partner(user) and action.owner_id != getattr(user, "pk", None)):
        raise Http404("no such action")
    return _action(svc.action_set_status(actor=user, action=action, status="done"))


@router.get("/children/{child_id}/consents", response=list[ConsentOut])
def child_consents(request: HttpRequest, child_id: int) -> list[dict[str, object]]:
    """A child's consents (staff with a consent grant covering the child)."""
    user = request.auth  # type: ignore[attr-defined]  # the API token's user (BearerToken)
    _grant(user, "consent", "view")
    child = children_visible_to(user).filter(pk=child_id).first()
    if child is None or not may(user, "consent", "view", child=child):
        raise Http404("no such child")
    audit_record(actor=user, child_id=child_id, action="read", endpoint=request.path,
                 purpose=api_purpose(request, user, child_id))
    return [{"id": c.pk, "giver": c.giver, "field_groups": c.field_groups,
             "organisation_ids": [o.pk for o in c.organisations.all()], "purpose": c.purpose,
             "valid_from": c.valid_from, "valid_to": c.valid_to, "withdrawn_on": c.withdrawn_on}
            for c in sel.consents_of(child)]


@router.post("/consultations", response={201: dict})
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Status:
    """Record an anonymous consultation: no child identity is accepted or kept."""
    user = request.auth  # type: ignore[attr-defined]  # the API token's user (BearerToken)
    orgs = sel.organisations_of(user, on=timezone.localdate())
    row = svc.consultation_record(actor=user, organisation=orgs[0] if orgs else None, **payload.dict())
    return Status(201, {"id": row.pk})


@router.get("/minutes", response=list[MinutesOut])
def minutes_mine(request: HttpRequest) -> list[dict[str, object]]:
    """The minutes sent to the caller (or their organisation), newest first; a partner's only
    while identity and meetings are shared today, with the parts still shared."""
    user = request.auth  # type: ignore[attr-defined]  # the API token's user (BearerToken)
    _grant(user, "meeting", "view")
    rows = list(mn.received(user)[:100])
    shares = sel.sharing_for(user, {r.meeting.child_id for r in rows}, on=timezone.localdate(),
                             groups=mn.GROUPS) if sel.is_partner(user) else None
    out: list[dict[str, object]] = []
    for r in rows:
        share = shares[r.meeting.child_id] if shares is not None else None
        if share is not None and not {"identity", "meetings"} <= share.allowed:
            continue
        parts = mn.parts_now(r, share)
        out.append({"id": r.pk, "meeting_id": r.meeting_id, "child_id": r.meeting.child_id, "sent_at": r.sent_at,
                    "channel": r.channel, "status": r.status, "parts": parts,
                    "content": {p: r.content[p] for p in parts if p in r.content}})
    audit_list(actor=user, endpoint="api collaboration minutes", child_ids=sorted({int(str(o["child_id"]))
                                                                                  for o in out}))
    return out
