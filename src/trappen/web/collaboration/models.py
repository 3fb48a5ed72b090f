"""Collaboration around the child: partner organisations and their professionals, children's
dated links to organisations, consents and recorded legal bases for sharing, meetings with
participants and agreed actions, step-1 supports and anonymous consultations."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trappen.collaboration import CONSENT_GIVERS, ORG_KINDS
from trappen.web.collaboration.labels import choices as _c

MEETING_KINDS = ("cross_disciplinary", "network_meeting", "family_group_conference", "handover")
PARTICIPANT_KINDS = ("caseworker", "partner", "parent", "child", "network_person", "support_person")
ACTION_STATUSES = ("open", "done", "cancelled")
LINK_KINDS = ("enrolled", "attends", "followed_by", "other")
CONCERN_KINDS = ("wellbeing", "absence", "behaviour", "development", "family", "violence", "substance", "other")
CONSULTATION_OUTCOMES = ("advice_only", "step1_offer", "notify")
SUPPORT_OUTCOMES = ("", "goal_met", "partly_met", "not_met", "escalated")


class Organisation(models.Model):
    """A partner organisation: a school, daycare, health visiting, PPR, a youth club..."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=_c(ORG_KINDS))
    district = models.ForeignKey("register.District", on_delete=models.PROTECT, to_field="code",
                                 null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A professional (a partner user) acting for an organisation over a period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    title = models.CharField(max_length=100, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)


class ChildLink(models.Model):
    """A child's dated link to an organisation (enrolled at a school, attends a daycare)."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="organisation_links")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="child_links")
    kind = models.CharField(max_length=16, choices=_c(LINK_KINDS), default="enrolled")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "start_date"])]


class Consent(models.Model):
    """One consent from one giver: which field groups, to which organisations, for what, when."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="consents")
    giver = models.CharField(max_length=32, choices=_c(CONSENT_GIVERS))
    field_groups = models.JSONField(default=list)
    organisations = models.ManyToManyField(Organisation, related_name="consents")
    purpose = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    sole_custody = models.BooleanField(default=False)
    """The giver holds custody alone: their consent is enough (otherwise both custody holders')."""
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class SharingBasis(models.Model):
    """A caseworker's recorded use of a legal basis for sharing without consent
    (``trappen/collaboration/data/legal_bases.toml``) for one child and organisation."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="sharing_bases")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=64)
    reason = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")


class Meeting(models.Model):
    """A cross-disciplinary meeting, network meeting, familierådslagning or handover."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=32, choices=_c(MEETING_KINDS))
    held_on = models.DateField()
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    child_view = models.TextField(blank=True)
    parents_view = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    minutes_at = models.DateTimeField(null=True, blank=True)


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(max_length=32, choices=_c(PARTICIPANT_KINDS))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    name = models.CharField(max_length=200, blank=True)


class Action(models.Model):
    """An agreed action from a meeting, owned by a participant (a user), with a due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="collaboration_actions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="collaboration_actions")
    owner_kind = models.CharField(max_length=32, choices=_c(PARTICIPANT_KINDS))
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=_c(ACTION_STATUSES), default="open")
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "status"])]


class Step1Support(models.Model):
    """Early help inside daycare, school or health visiting, registered by the organisation that
    gives it; the staircase sees it as the step-1 ``episode`` it created."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="step1_supports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="step1_supports")
    episode = models.OneToOneField("register.Episode", on_delete=models.CASCADE, related_name="step1_source")
    goal = models.CharField(max_length=300)
    start_date = models.DateField()
    planned_review = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=_c(SUPPORT_OUTCOMES), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")


class Consultation(models.Model):
    """An anonymous consultation (anonym sparring): no child identity, only the age, the kind of
    concern, the partner kind, the advice and the outcome; later linkable to a notification."""

    held_on = models.DateField()
    age = models.PositiveSmallIntegerField()
    concern = models.CharField(max_length=32, choices=_c(CONCERN_KINDS))
    partner_kind = models.CharField(max_length=32, choices=_c(ORG_KINDS))
    advice = models.TextField()
    outcome = models.CharField(max_length=16, choices=_c(CONSULTATION_OUTCOMES))
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    notification = models.ForeignKey("register.Notification", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="consultations")


NETWORK_RELATIONS = ("grandparent", "aunt_uncle", "sibling", "family_friend", "neighbour", "other_relation")
NETWORK_ROLES = ("support", "possible_network_foster_family", "contact")
FGC_STATUSES = ("preparing", "held", "followed_up")


class NetworkPerson(models.Model):
    """A person in the family's network (no CPR): relation, role (support, a possible network
    foster family for step 4, contact)."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="network_persons")
    name = models.CharField(max_length=200)
    relation = models.CharField(max_length=32, choices=_c(NETWORK_RELATIONS))
    role = models.CharField(max_length=32, choices=_c(NETWORK_ROLES))
    active = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")


class FamilyGroupConference(models.Model):
    """Familierådslagning as a process: referral, a coordinator's preparation, the conference,
    the family's own plan and its follow-up."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="family_group_conferences")
    coordinator = models.CharField(max_length=200)
    referred_on = models.DateField()
    preparation = models.TextField(blank=True)
    conference_on = models.DateField(null=True, blank=True)
    family_plan = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=_c(FGC_STATUSES), default="preparing")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")


class GoalFollowUp(models.Model):
    """One follow-up of one goal of the child's plan (``register.Plan.goals[goal_index]``):
    progress on a 0-10 scale, achieved or not (unknown while open), the child's own view."""

    plan = models.ForeignKey("register.Plan", on_delete=models.CASCADE, related_name="goal_follow_ups")
    goal_index = models.PositiveSmallIntegerField()
    goal = models.CharField(max_length=500)
    """The goal's text when followed up (the plan may be corrected later)."""
    followed_up_on = models.DateField()
    progress = models.PositiveSmallIntegerField()
    achieved = models.BooleanField(null=True, blank=True)
    child_view = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")


DISPATCH_STATUSES = ("delivered", "recorded", "refused")
"""delivered: in Trappen to a user or an organisation; recorded: sent outside Trappen (Digital
Post, letter) as a record only; refused: nothing sent (no consent or legal basis that day)."""


class MinutesDispatch(models.Model):
    """One participant's copy of a meeting's minutes: to whom, how, when, which parts (filtered
    by the consent's field groups for a partner), and the parts' content as sent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="dispatches")
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recipient_kind = models.CharField(max_length=32, choices=_c(PARTICIPANT_KINDS))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="minutes_received")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="minutes_received")
    name = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=16, choices=_c(("trappen", "digital_post", "letter")))
    status = models.CharField(max_length=16, choices=_c(DISPATCH_STATUSES))
    reason = models.CharField(max_length=200, blank=True)
    parts = models.JSONField(default=list)
    content = models.JSONField(default=dict)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "sent_at"]), models.Index(fields=["organisation", "sent_at"])]
