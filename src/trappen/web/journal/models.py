"""The case journal (journalnotater) and decisions (afgørelser) of a child's case.

OPERATIONAL ONLY: the free text here (a note's text, a decision's grounds) never enters the
analytic register, exports, KPIs or logs; reads and writes are audited with ids only. Access is
the ``case_notes`` resource of ``trappen/privacy/data/permissions.toml`` (never partners,
analysts, economists or administrators).

Notes are never edited in place: a correction makes a new version and keeps the replaced one as
a :class:`JournalNoteVersion` (as :class:`trappen.web.register.models.PlanRevision` does for
plans). Decisions are not corrected: a changed decision is a new decision (kind ``change``).
Rows belong to the child (``on_delete=CASCADE``): a register load deletes them with it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trappen.web.register.models import Child, Episode


class NoteKind(models.TextChoices):
    """What a journal note records (optional)."""

    CONVERSATION = "conversation", _("Conversation")
    PHONE = "phone", _("Phone call")
    MEETING = "meeting", _("Meeting")
    OBSERVATION = "observation", _("Observation")
    OTHER = "other", _("Other")


class DecisionKind(models.TextChoices):
    """What was decided."""

    GRANT = "grant", _("Grant of a measure")
    REFUSAL = "refusal", _("Refusal")
    TERMINATION = "termination", _("Termination")
    CHANGE = "change", _("Change")


class JournalNote(models.Model):
    """A dated journal note: the current version (earlier versions in ``versions``)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="journal_notes")
    noted_on = models.DateField()
    """The date the note is about (the conversation, call, meeting or observation)."""
    kind = models.CharField(max_length=20, choices=NoteKind.choices, blank=True)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    """Who wrote this version (kept while the note is kept, as audit events keep their user)."""
    written_at = models.DateTimeField()
    """When this version was written."""
    first_written_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="journal_note_has_text")]
        indexes = [models.Index(fields=["child", "-noted_on"], name="journal_note_child_date")]


class JournalNoteVersion(models.Model):
    """An earlier version of a note, kept when the note was corrected."""

    note = models.ForeignKey(JournalNote, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    noted_on = models.DateField()
    kind = models.CharField(max_length=20, choices=NoteKind.choices, blank=True)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "version"], name="journal_note_version_unique")]


class Decision(models.Model):
    """A decision (afgørelse) with its grounds (begrundelse), legal basis and the complaint
    guidance (klagevejledning) given with it, as it was given."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="decisions")
    """The intervention the decision concerns; kept (as NULL) if the episode row goes."""
    decided_on = models.DateField()
    grounds = models.TextField()
    legal_basis = models.CharField(max_length=32)
    """A code of ``trappen/decisions/data/legal_bases.toml``."""
    legal_basis_section = models.CharField(max_length=100)
    """The section as written on the decision (kept if the rule file changes)."""
    complaint_guidance = models.TextField()
    """The klagevejledning text (Danish) given with the decision."""
    complaint_deadline_weeks = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(grounds=""), name="decision_has_grounds"),
                       models.CheckConstraint(condition=~Q(complaint_guidance=""), name="decision_has_guidance")]
