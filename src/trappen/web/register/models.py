"""The operational register: one table per table of the analytic register schema, plus the
person-identifying fields (name, encrypted CPR) that never leave this database.

Field names follow :mod:`trappen.register.schema` so a snapshot is a straight mapping; foreign
keys to districts point at ``District.code`` so ``district_id`` *is* the district code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trappen.register.schema import CASE_SOURCES, SEXES
from trappen.web import labels


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class District(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    pilot_from = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    district = models.ForeignKey(District, on_delete=models.PROTECT, to_field="code",
                                 null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Child(models.Model):
    """A child. ``id`` is the pseudonymous child id used in URLs and in the analytic register."""

    name = models.CharField(max_length=200)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=_choices(SEXES))
    district = models.ForeignKey(District, on_delete=models.PROTECT, to_field="code")
    entry_date = models.DateField()
    exit_date = models.DateField(null=True, blank=True)
    cpr_encrypted = models.BinaryField()
    # One child per CPR number: the database refuses a second row with the same lookup hash, so
    # parallel notifications about a new CPR number cannot register the child twice (#14 item 4).
    cpr_lookup = models.CharField(max_length=128, unique=True)

    def __str__(self) -> str:
        return f"child {self.pk}"


class Residence(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="residences")
    district = models.ForeignKey(District, on_delete=models.PROTECT, to_field="code")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)


class Case(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="cases")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=32, choices=_choices(CASE_SOURCES))


class Caseworker(models.Model):
    """A caseworker post (pseudonymous id in the analytic register), optionally a login."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, to_field="code")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, to_field="code")
    fte = models.FloatField(default=1.0)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="caseworker")


class Assignment(models.Model):
    """Which caseworker holds a child's case, over time (half-open period)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assignments")
    caseworker = models.ForeignKey(Caseworker, on_delete=models.PROTECT)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)


class Episode(models.Model):
    """One intervention for one child over ``[start_date, end_date)``."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="episodes")
    intervention_code = models.CharField(max_length=64)
    step = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    planned_end = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=labels.choices("end_reason"), blank=True, null=True)
    justification = models.JSONField(default=dict, blank=True)
    """For an escalation: ``{step: why that lower step does not meet the need}``."""
    provider = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    breakdown_reason = models.TextField(blank=True, default="", db_default="")
    """Why a placement broke down (end_reason "breakdown"); operational only, not in the register."""
    version = models.PositiveIntegerField(default=0, db_default=0)
    """Optimistic lock: each form edit bumps it; an edit carrying an older version is refused.
    The database default lets the bulk loader's raw inserts leave the new columns out."""
    offer = models.ForeignKey("offers.Offer", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="episodes")
    """The offer (tilbud) giving the intervention (trappen.web.offers); None for free-text providers."""
    decided_on = models.DateField(null=True, blank=True)
    """The day the intervention was decided; ``start_date - decided_on`` is the wait for a place."""
    overbooking = models.BooleanField(default=False, db_default=False)
    """Started in an offer with no free place, recorded as an overbooking."""

    class Meta:
        indexes = [models.Index(fields=["start_date", "end_date"])]


class Notification(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="notifications")
    received_at = models.DateTimeField()
    notifier_kind = models.CharField(max_length=32, choices=labels.choices("notifier"))
    assessed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, choices=labels.choices("outcome"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, db_default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="submitted_notifications")
    """The professional who sent it through Trappen (a partner's duty to notify); their receipt."""
    concern = models.TextField(blank=True, default="", db_default="")
    """What the notifier is worried about, in their words (case content: never shown to partners
    other than in the form they send)."""


class Investigation(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="investigations")
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True)
    aware_on = models.DateField()
    started_on = models.DateField()
    concluded_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, db_default=0)


class Plan(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="plans")
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True)
    made_on = models.DateField()
    goals = models.JSONField(default=list, blank=True, null=True)
    """The plan's concrete goals, a list of strings (NULL for plans bulk-loaded from a register);
    operational only (the register has ``made_on``)."""
    version = models.PositiveIntegerField(default=0, db_default=0)


class PlanRevision(models.Model):
    """An earlier version of a plan, kept when the plan is corrected: corrections are new
    versions, not overwrites. The :class:`Plan` row holds the current version (what pages,
    deadlines and the analytic register use); these rows are its history. OPERATIONAL ONLY."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    """The plan's ``version`` while these values were current."""
    made_on = models.DateField()
    goals = models.JSONField(default=list, blank=True, null=True)
    replaced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="plan_revision_unique")]


class AssessmentRevision(models.Model):
    """An earlier assessment of a notification, kept when the assessment is corrected (the
    :class:`Notification` row holds the current one). OPERATIONAL ONLY."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="assessment_revisions")
    version = models.PositiveIntegerField()
    assessed_at = models.DateTimeField()
    outcome = models.CharField(max_length=32, choices=labels.choices("outcome"))
    replaced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "version"],
                                               name="assessment_revision_unique")]


class FollowUp(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="follow_ups")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE)
    held_on = models.DateField()


class SupervisionVisit(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="supervision_visits")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE)
    visited_on = models.DateField()


class Complaint(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="complaints")
    received_on = models.DateField()
    reassessed_on = models.DateField(null=True, blank=True)
    municipality_upheld = models.BooleanField(null=True, blank=True)
    appeals_outcome = models.CharField(max_length=32, choices=labels.choices("appeals_outcome"), null=True, blank=True)


CONVERSATION_KINDS = ("alone", "with_parent", "with_other_adult")
"""Who else was present at a child conversation (børnesamtale)."""


class ChildConversation(models.Model):
    """A conversation with the child (børnesamtale). OPERATIONAL ONLY: the analytic register
    schema has no table for it, so snapshots and exports leave it out."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="conversations")
    held_on = models.DateField()
    kind = models.CharField(max_length=32, choices=labels.choices("conversation"))
    notes = models.TextField(blank=True, default="")


class CaseClosure(models.Model):
    """A child's case closed in Trappen, with the reason. While a closure has no reopening the
    child's records are read-only (every write service refuses); a reopening needs a reason and
    is audited. Closures are never deleted: they are the case's history. OPERATIONAL ONLY."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField()
    reason = models.TextField()
    closed_at = models.DateTimeField()
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child"], condition=models.Q(reopened_at__isnull=True),
                                               name="one_open_closure_per_child")]


class PopulationCount(models.Model):
    """Children 0-17 living in a district on 31 December, by age (the population table)."""

    year = models.SmallIntegerField()
    district = models.ForeignKey(District, on_delete=models.PROTECT, to_field="code")
    age = models.SmallIntegerField()
    children = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "district", "age"],
                                               name="population_unique")]
