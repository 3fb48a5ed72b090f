"""Pages of the case journal and decisions: parse input, call one service or selector, render.

Every page first checks the role's ``case_notes`` grant (403 for roles that never see case
notes: partners, analysts, economists, administrators), then opens the child as the case page
does (out of scope: audited and 404; not the user's own case: the purpose prompt), then the
grant's scope for this child (403). Reads of notes and decisions are audited with the purpose.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from trappen.errors import EditConflict, InvalidInput
from trappen.web.audit.services import audit_record
from trappen.web.casework.views import _form_errors, _open_child
from trappen.web.journal import selectors as sel
from trappen.web.journal import services as svc
from trappen.web.journal.forms import DecisionForm, JournalNoteCorrectForm, JournalNoteForm
from trappen.web.journal.models import Decision, JournalNote
from trappen.web.register import models as m
from trappen.web.security.purpose import purpose_prompting, require_purpose

NOTES_PER_PAGE = 25


def _granted(request: HttpRequest, action: str) -> None:
    if not sel.journal_granted(request.user, action):
        raise PermissionDenied("case_notes is not granted to this role (permissions.toml)")


def _open(request: HttpRequest, child_id: int, *, action: str, purpose: str) -> m.Child:
    _granted(request, action)
    child = _open_child(request, child_id, purpose=purpose)
    if not sel.journal_allowed(request.user, child.pk, action):
        raise PermissionDenied("case_notes: outside the grant's scope for this child")
    return child


def _audit_read(request: HttpRequest, child: m.Child, what: str) -> None:
    audit_record(actor=request.user, child_id=child.pk, action="read", endpoint=f"{request.path}#{what}",
                 purpose=require_purpose(request, child.pk))


def _errors(form: object, exc: InvalidInput, *, required: str) -> None:
    """The service's refusals as form errors; a missing ``required`` text in the user's language."""
    rest = [p for p in exc.problems if not (p.field == required and p.value == "")]
    if len(rest) < len(exc.problems):
        message = (_("Write the grounds (begrundelse): a decision cannot be saved without them.")
                   if required == "grounds" else _("Write the note's text: an empty note cannot be saved."))
        form.add_error(required, message)  # type: ignore[attr-defined]
    if rest:
        _form_errors(form, InvalidInput(rest))


def journal_case_context(request: HttpRequest, child: m.Child, *, closed: bool | None = None) -> dict[str, object]:
    """The journal and decisions sections of the case page (audited when shown); call it after
    the page has opened the child (purpose stated). ``closed``: see ``journal_case_section``."""
    section = sel.journal_case_section(request.user, child, closed=closed)
    if section["journal_visible"]:
        _audit_read(request, child, "journal")
    return section


@login_required
@purpose_prompting
def journal_list(request: HttpRequest, child_id: int) -> HttpResponse:
    """Every journal note of the child, latest first, with earlier versions; paginated."""
    child = _open(request, child_id, action="view", purpose="read journal")
    _audit_read(request, child, "journal")
    page = Paginator(sel.journal_notes(child), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    access = sel.journal_access(request.user, child.pk)
    writable = not sel.case_closed(child.pk)
    return render(request, "journal/list.html", {
        "child": child, "page": page, "can_add_note": access.create and writable,
        "can_correct_note": access.change and writable, "closed": not writable})


def _note_form(request: HttpRequest, form: JournalNoteForm, *, child: m.Child, title: str, save: object,
               success: str, note: JournalNote | None = None) -> HttpResponse:
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)  # type: ignore[operator]
        except EditConflict as exc:
            # nothing saved: show what changed; resubmitting goes against the current version
            conflict = exc.problems
            data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict on POST
            data["version"] = str(exc.current_version)
            form.data = data
        except InvalidInput as exc:
            _errors(form, exc, required="text")
        else:
            messages.success(request, success)
            return redirect("child_detail", child_id=child.pk)
    return render(request, "journal/note_form.html", {"child": child, "form": form, "title": title,
                                                      "note": note, "conflict": conflict})


def _record_child(request: HttpRequest, model: type[JournalNote] | type[Decision], pk: int, *, action: str,
                  purpose: str) -> m.Child:
    """The child of a journal note or decision, opened for ``action`` (403 without the grant;
    404 for no such record or a child out of reach)."""
    _granted(request, action)
    found = model.objects.filter(pk=pk).only("child_id").first()
    if found is None:
        raise Http404("no such record")
    return _open(request, found.child_id, action=action, purpose=purpose)


@login_required
@purpose_prompting
def journal_note_new(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _open(request, child_id, action="create", purpose="write journal note")
    form = JournalNoteForm(request.POST or None, initial={"noted_on": timezone.localdate()})
    return _note_form(request, form, child=child, title=_("Write a journal note"),
                      save=lambda d: svc.journal_note_add(actor=request.user, child=child, **d),
                      success=_("Journal note saved."))


@login_required
@purpose_prompting
def journal_note_correct(request: HttpRequest, note_id: int) -> HttpResponse:
    """Correct a note: a new version; the page shows the earlier ones (kept)."""
    child = _record_child(request, JournalNote, note_id, action="change", purpose="correct journal note")
    note = sel.journal_notes(child).get(pk=note_id)
    _audit_read(request, child, f"note-{note.pk}")
    form = JournalNoteCorrectForm(request.POST or None, initial={
        "noted_on": note.noted_on, "kind": note.kind, "text": note.text, "version": note.version})
    return _note_form(request, form, child=child, title=_("Correct a journal note"), note=note,
                      save=lambda d: svc.journal_note_correct(actor=request.user, note=note, **d),
                      success=_("Journal note corrected; the earlier version is kept."))


@login_required
@purpose_prompting
def decision_new(request: HttpRequest, child_id: int) -> HttpResponse:
    """Record a decision; without grounds it is refused on the grounds field."""
    child = _open(request, child_id, action="create", purpose="record decision")
    form = DecisionForm(request.POST or None, child=child, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        episode_id = data.pop("episode")
        episode = child.episodes.filter(pk=episode_id).first() if episode_id is not None else None
        try:
            decision = svc.decision_record(actor=request.user, child=child, episode=episode, **data)
        except InvalidInput as exc:
            _errors(form, exc, required="grounds")
        else:
            messages.success(request, _("Decision recorded with its complaint guidance."))
            return redirect("decision_detail", decision_id=decision.pk)
    return render(request, "journal/decision_form.html", {"child": child, "form": form})


@login_required
@purpose_prompting
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    """One decision: what was decided, the grounds, the legal basis and the klagevejledning."""
    child = _record_child(request, Decision, decision_id, action="view", purpose="read decision")
    decision = sel.decisions_for_child(child).get(pk=decision_id)
    _audit_read(request, child, f"decision-{decision.pk}")
    return render(request, "journal/decision.html", {"child": child, "decision": decision})
