"""Minutes go to the participants, within the consent's scope (issue #16 item 5).

When the caseworker saves a meeting's minutes, :func:`minutes_dispatch` gives every participant
their copy as a :class:`~trappen.web.collaboration.models.MinutesDispatch`:

- a user (the caseworker, a partner user) or a partner organisation receives it in Trappen
  ("Minutes" on /collaboration/ and its own page); a partner only the parts whose field group a
  consent or legal basis shares with their organisation that day
  (:func:`trappen.collaboration.minutes.partner_parts`), nothing without ``meetings`` (the
  dispatch is recorded as refused with the reason);
- a participant without a login (parents, the child, network persons, a support person) gets a
  recorded dispatch by the channel of ``minutes.toml`` (Digital Post, letter; not sent by
  Trappen), printable from its page.

Every dispatch is audited (who, how, which parts); a partner's sharing check as every partner read.
A partner's later read checks the sharing again (a withdrawal takes effect at once).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from trappen.collaboration import decide_sharing
from trappen.collaboration.minutes import MINUTES_PARTS, minutes_rules, outside_dispatch, partner_parts
from trappen.web.audit.services import audit_record
from trappen.web.collaboration import selectors as sel
from trappen.web.collaboration.links import current, user_organisation_ids, user_pk
from trappen.web.collaboration.models import ChildLink, Meeting, MinutesDispatch, Organisation, Participant

GROUPS = ("identity", "meetings", "actions", "case_notes")
"""The field groups the minutes' parts belong to (minutes.toml [parts])."""


def organisation_sharing(org: Organisation, child_id: int, *, on: dt.date,
                         groups: tuple[str, ...] = GROUPS) -> sel.Sharing:
    """What ``org`` may see of the child on ``on`` (it must link the child that day)."""
    if not ChildLink.objects.filter(current(on), child_id=child_id, organisation=org).exists():
        return sel.Sharing(child_id=child_id, allowed=frozenset(), organisation=org,
                           reasons={g: f"refused:{g}:no_organisation_link" for g in groups})
    rows, holders = sel.grounds_by_child([child_id])[child_id]
    decisions = {g: decide_sharing(rows, organisation_id=org.pk, organisation_kind=org.kind, group=g, day=on,
                                   custody_holders=holders) for g in groups}
    return sel.Sharing(child_id=child_id, organisation=org, allowed=frozenset(g for g, d in decisions.items()
                                                                             if d.allowed),
                       reasons={g: d.reason for g, d in decisions.items()})


def _content(meeting: Meeting, parts: tuple[str, ...]) -> dict[str, object]:
    """The parts' content as sent (never the CPR number)."""
    full: dict[str, object] = {
        "child": meeting.child.name,
        "meeting": {"kind": meeting.kind, "held_on": meeting.held_on.isoformat()},
        "participants": [{"kind": p.kind, "name": _participant_name(p)} for p in
                         meeting.participants.select_related("user", "organisation").order_by("pk")],
        "decisions": meeting.decisions,
        "actions": [{"text": a.text, "owner": (a.owner.get_full_name() or a.owner.username) if a.owner else "",
                     "owner_kind": a.owner_kind, "due_on": a.due_on.isoformat(), "status": a.status}
                    for a in meeting.actions.select_related("owner").order_by("due_on", "pk")],
        "child_view": meeting.child_view,
        "parents_view": meeting.parents_view,
    }
    return {p: full[p] for p in parts}


def _participant_name(p: Participant) -> str:
    if p.user is not None:
        name = p.user.get_full_name() or p.user.username
        return f"{name} ({p.organisation.name})" if p.organisation else name
    return p.organisation.name if p.organisation else p.name


def minutes_dispatch(*, actor: Any, meeting: Meeting, on: dt.date | None = None) -> list[MinutesDispatch]:
    """Give each participant of ``meeting`` their copy of the minutes (called by
    :func:`~trappen.web.collaboration.services.minutes_write` in its transaction, after the
    permission check). Returns the dispatches, refused ones included."""
    day = on or timezone.localdate()
    now = timezone.now()
    rows: list[MinutesDispatch] = []
    for p in meeting.participants.select_related("user", "organisation").order_by("pk"):
        row = MinutesDispatch(meeting=meeting, participant=p, recipient_kind=p.kind, user=p.user,
                              organisation=p.organisation if p.user is None else None, name=_participant_name(p),
                              sent_by=actor, sent_at=now)
        share: sel.Sharing | None = None
        if p.kind == "partner":
            if p.user is not None:
                share = sel.sharing_for(p.user, [meeting.child_id], on=day, groups=GROUPS)[meeting.child_id]
            elif p.organisation is not None:
                share = organisation_sharing(p.organisation, meeting.child_id, on=day)
            parts = partner_parts(share.allowed) if share is not None else ()
            row.channel = "trappen"
            row.status = "delivered" if parts else "refused"
            if not parts:
                row.reason = share.reasons.get("meetings", "refused:meetings:no_recipient") if share else \
                    "refused:meetings:no_recipient"
        elif p.user is not None:  # the municipality's own staff: every part
            parts, row.channel, row.status = MINUTES_PARTS, "trappen", "delivered"
        else:
            channel, parts = outside_dispatch(p.kind) or ("letter", ())
            row.channel, row.status = channel, "recorded" if parts else "refused"
            if not parts:
                row.reason = f"refused:{p.kind}:no_rule"
        row.parts = list(parts)
        row.content = _content(meeting, tuple(parts))
        row.save()
        if share is not None:
            audit_record(actor=actor, child_id=meeting.child_id, action="read",
                         endpoint=f"sharing_check minutes_dispatch {row.pk}",
                         purpose=";".join(f"{g}={share.reasons.get(g, '')}" for g in GROUPS)[:200])
        recipient = f"user {p.user_id}" if p.user_id else f"organisation {p.organisation_id}" \
            if p.organisation_id else p.kind
        audit_record(actor=actor, child_id=meeting.child_id, action="write", endpoint="minutes_dispatch",
                     purpose=f"minutes of meeting {meeting.pk} to {recipient} via {row.channel}: {row.status} "
                             f"[{','.join(row.parts)}] {row.reason}"[:200])
        rows.append(row)
    return rows


# --------------------------------------------------------------- reads
def received(user: object) -> QuerySet[MinutesDispatch]:
    """The minutes sent to ``user`` or to an organisation they act for today (not refused ones),
    newest first. A partner's caller checks the sharing again before naming a child."""
    return (MinutesDispatch.objects.filter(Q(user_id=user_pk(user)) | Q(organisation_id__in=user_organisation_ids(
        user))).exclude(status="refused").select_related("meeting", "meeting__child").order_by("-sent_at", "-pk"))


def received_rows(user: object, *, limit: int = 100) -> tuple[list[MinutesDispatch], int]:
    """The minutes sent to ``user`` they may still read (partners: ``meetings`` shared today),
    and how many others are hidden because the sharing has ended."""
    rows = list(received(user)[:limit])
    if not sel.is_partner(user):
        return rows, 0
    shares = sel.sharing_for(user, {r.meeting.child_id for r in rows}, on=timezone.localdate(),
                             groups=("identity", "meetings"))
    shown = [r for r in rows if {"identity", "meetings"} <= shares[r.meeting.child_id].allowed]
    return shown, len(rows) - len(shown)


def addressed_to(user: object, row: MinutesDispatch) -> bool:
    """Whether ``row`` was sent to ``user`` (or an organisation they act for today)."""
    return received(user).filter(pk=row.pk).exists()


def parts_now(row: MinutesDispatch, share: sel.Sharing | None) -> list[str]:
    """The parts of ``row`` a reader sees now: all for staff (``share`` None); for a partner
    those still shared today (a withdrawal after the dispatch hides them at once)."""
    if share is None:
        return [p for p in MINUTES_PARTS if p in row.parts]
    allowed = set(partner_parts(share.allowed))
    return [p for p in MINUTES_PARTS if p in row.parts and p in allowed]


def groups_of(parts: list[str]) -> list[str]:
    """The field groups of ``parts`` (for the audit trail and the page)."""
    table = minutes_rules().group_of
    return sorted({table[p] for p in parts})
