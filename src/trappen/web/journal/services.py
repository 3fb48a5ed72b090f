"""Writes of the case journal and decisions: each one transaction, checked before anything is
written, audited with ids only (never the text).

Refusals: :class:`PermissionDenied` without the ``case_notes`` grant or outside its scope (a
caseworker writes the notes of their own cases only); :class:`Http404` for a child the actor
may not open; :class:`trappen.errors.CaseClosed` for a closed case (its notes are read-only);
:class:`trappen.errors.InvalidInput` naming the field and value for bad input;
:class:`trappen.errors.EditConflict` when a note changed since the form was opened.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from trappen.decisions import complaint_guidance, guidance_text, legal_bases
from trappen.errors import EditConflict, InvalidInput, Problem, ProblemCollector
from trappen.web.audit.services import audit_record
from trappen.web.journal.models import Decision, DecisionKind, JournalNote, JournalNoteVersion, NoteKind
from trappen.web.journal.selectors import journal_allowed
from trappen.web.register import models as m
from trappen.web.register.selectors import children_visible_to
from trappen.web.register.services import child_require_open

MAX_TEXT_CHARS = 20_000


def _require(actor: object, child_id: int, action: str) -> None:
    if not children_visible_to(actor).filter(pk=child_id).exists():
        raise Http404("no such child")
    if not journal_allowed(actor, child_id, action):
        raise PermissionDenied(f"case_notes/{action} is not granted for this child (permissions.toml)")


def _user_id(actor: object) -> int:
    pk = getattr(actor, "pk", None)
    if not isinstance(pk, int):
        raise PermissionDenied("journal notes and decisions are written by a signed-in user")
    return pk


def _date(problems: ProblemCollector, child: m.Child, field: str, value: dt.date, today: dt.date) -> None:
    if value > today:
        problems.add(field=field, value=value.isoformat(), message="is in the future")
    elif value < child.birth_date:
        problems.add(field=field, value=value.isoformat(),
                     message=f"is before the child's birth date ({child.birth_date.isoformat()})")


def _text(problems: ProblemCollector, field: str, value: str, *, what: str) -> str:
    text = (value or "").strip()
    if not text:
        problems.add(field=field, value="", message=f"{what} is required")
    elif len(text) > MAX_TEXT_CHARS:
        problems.add(field=field, value=f"{len(text)} characters",
                     message=f"is longer than {MAX_TEXT_CHARS} characters")
    return text


def _kind(problems: ProblemCollector, value: str) -> str:
    kind = value or ""
    if kind and kind not in NoteKind.values:
        problems.add(field="kind", value=kind, message=f"must be one of {', '.join(NoteKind.values)}")
    return kind


@transaction.atomic
def journal_note_add(*, actor: object, child: m.Child, noted_on: dt.date, text: str, kind: str = "",
                     now: dt.datetime | None = None) -> JournalNote:
    """Write a journal note on ``child``'s case (version 1).

    Raises:
        InvalidInput: empty text; ``noted_on`` in the future or before birth; an unknown kind.
        CaseClosed: the case is closed.
        PermissionDenied, Http404: see the module docstring.
    """
    _require(actor, child.pk, "create")
    child_require_open(child.pk)
    now = now or timezone.now()
    problems = ProblemCollector()
    _date(problems, child, "noted_on", noted_on, timezone.localdate(now))
    body = _text(problems, "text", text, what="the note's text")
    kind = _kind(problems, kind)
    problems.raise_if_any()
    note = JournalNote.objects.create(child=child, noted_on=noted_on, kind=kind, text=body,
                                      author_id=_user_id(actor), written_at=now, first_written_at=now)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="journal_note_add",
                 purpose=f"journal note {note.pk}")
    return note


@transaction.atomic
def journal_note_correct(*, actor: object, note: JournalNote, noted_on: dt.date, text: str, kind: str,
                         version: int, now: dt.datetime | None = None) -> JournalNote:
    """Correct a note: the current values are kept as a :class:`JournalNoteVersion`, the note
    row becomes the new version (author and time of the correction).

    Raises:
        EditConflict: the note changed since ``version`` (nothing written).
        InvalidInput, CaseClosed, PermissionDenied, Http404: as :func:`journal_note_add`.
    """
    _require(actor, note.child_id, "change")
    child_require_open(note.child_id)
    now = now or timezone.now()
    problems = ProblemCollector()
    _date(problems, note.child, "noted_on", noted_on, timezone.localdate(now))
    body = _text(problems, "text", text, what="the note's text")
    kind = _kind(problems, kind)
    problems.raise_if_any()
    current = JournalNote.objects.select_for_update().get(pk=note.pk)
    if current.version != version:
        raise EditConflict([Problem(field="text", value=f"version {current.version}",
                                    message=f"the note was corrected by someone else (version {current.version}) "
                                            f"while you edited version {version}")],
                           current_version=current.version)
    if (current.noted_on, current.kind, current.text) == (noted_on, kind, body):
        raise InvalidInput(Problem(field="text", value=f"version {current.version}", message="nothing was changed"))
    JournalNoteVersion.objects.create(note=current, version=current.version, noted_on=current.noted_on,
                                      kind=current.kind, text=current.text, author_id=current.author_id,
                                      written_at=current.written_at, replaced_at=now)
    JournalNote.objects.filter(pk=current.pk).update(noted_on=noted_on, kind=kind, text=body,
                                                     author_id=_user_id(actor),
                                                     written_at=now, version=current.version + 1)
    note.refresh_from_db()
    audit_record(actor=actor, child_id=note.child_id, action="write", endpoint="journal_note_correct",
                 purpose=f"journal note {note.pk} version {note.version}")
    return note


@transaction.atomic
def decision_record(*, actor: object, child: m.Child, kind: str, decided_on: dt.date, grounds: str,
                    legal_basis: str, episode: m.Episode | None = None,
                    now: dt.datetime | None = None) -> Decision:
    """Record a decision (afgørelse) with its grounds (begrundelse); the complaint guidance
    (klagevejledning) is generated from ``trappen/decisions/data/complaint_guidance.toml`` and
    stored with it, in Danish, as given to the citizen.

    Raises:
        InvalidInput: no grounds; an unknown kind or legal basis; ``decided_on`` in the future or
            before birth; an episode of another child.
        CaseClosed, PermissionDenied, Http404: as :func:`journal_note_add`.
    """
    _require(actor, child.pk, "create")
    child_require_open(child.pk)
    now = now or timezone.now()
    problems = ProblemCollector()
    if kind not in DecisionKind.values:
        problems.add(field="kind", value=kind, message=f"must be one of {', '.join(DecisionKind.values)}")
    basis = legal_bases().get(legal_basis)
    if basis is None:
        problems.add(field="legal_basis", value=legal_basis,
                     message=f"must be one of {', '.join(legal_bases())}")
    _date(problems, child, "decided_on", decided_on, timezone.localdate(now))
    body = _text(problems, "grounds", grounds, what="the grounds (begrundelse)")
    if episode is not None and episode.child_id != child.pk:
        problems.add(field="episode", value=episode.pk, message="belongs to another child")
    problems.raise_if_any()
    if basis is None:  # refused above; narrows the type
        raise InvalidInput(Problem(field="legal_basis", value=legal_basis, message="unknown legal basis"))
    guidance = complaint_guidance()
    text = guidance_text(guidance=guidance, basis=basis, decided_on=decided_on, language="da")
    decision = Decision.objects.create(
        child=child, kind=kind, episode=episode, decided_on=decided_on, grounds=body, legal_basis=basis.code,
        legal_basis_section=basis.section, complaint_guidance=text,
        complaint_deadline_weeks=guidance.deadline_weeks, recorded_by_id=_user_id(actor), recorded_at=now)
    audit_record(actor=actor, child_id=child.pk, action="write", endpoint="decision_record",
                 purpose=f"decision {decision.pk} ({kind}, {basis.code})")
    return decision
