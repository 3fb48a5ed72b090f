"""Display labels (Danish through gettext) of the collaboration codes; never a raw code on a page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LABELS = {
    # organisation kinds
    "school": _("School"), "daycare": _("Daycare"), "health_visiting": _("Health visiting"),
    "ppr": _("PPR (educational psychology)"), "youth_club": _("Youth club"), "gp": _("General practitioner"),
    "police_ssp": _("Police / SSP"), "voluntary": _("Voluntary organisation"),
    # consent givers
    "custody_holder_1": _("Custody holder 1"), "custody_holder_2": _("Custody holder 2"), "child": _("The child"),
    # field groups
    "identity": _("Name and birth date"), "step": _("Current step"),
    "early_interventions": _("Step 1-2 support the organisation gives"), "meetings": _("Meetings attended"),
    "actions": _("Agreed actions"), "placements": _("Placements"), "assessments": _("Assessments"),
    "case_notes": _("Case notes"),
    # meeting kinds
    "cross_disciplinary": _("Cross-disciplinary meeting"), "network_meeting": _("Network meeting"),
    "family_group_conference": _("Family group conference (familierådslagning)"), "handover": _("Handover"),
    # participant kinds
    "caseworker": _("Caseworker"), "partner": _("Partner"), "parent": _("Parent"),
    "network_person": _("Network person"), "support_person": _("Support person (bisidder)"),
    # action statuses
    "open": pgettext_lazy("action status", "Open"), "done": _("Done"), "cancelled": _("Cancelled"),
    # link kinds
    "enrolled": _("Enrolled"), "attends": _("Attends"), "followed_by": _("Followed by"), "other": _("Other"),
    # concerns
    "wellbeing": _("Wellbeing"), "absence": _("School absence"), "behaviour": _("Behaviour"),
    "development": _("Development"), "family": _("Family circumstances"), "violence": _("Violence or abuse"),
    "substance": _("Alcohol or drugs"),
    # consultation outcomes
    "advice_only": _("Advice only"), "step1_offer": _("Step-1 offer"), "notify": _("Notify"),
    # step-1 outcomes
    "": _("Ongoing"), "goal_met": _("Goal met"), "partly_met": _("Partly met"), "not_met": _("Not met"),
    "escalated": _("Stepped up"),
    # network persons and family group conferences
    "grandparent": _("Grandparent"), "aunt_uncle": _("Aunt or uncle"), "sibling": _("Adult sibling"),
    "family_friend": _("Family friend"), "neighbour": _("Neighbour"), "other_relation": _("Other relation"),
    "support": _("Support"), "possible_network_foster_family": _("Possible network foster family (step 4)"),
    "contact": _("Contact"), "preparing": _("Preparing"), "held": _("Held"), "followed_up": _("Followed up"),
    # minutes dispatch: channels, statuses, parts (trappen/collaboration/data/minutes.toml)
    "trappen": _("In Trappen"), "digital_post": _("Digital Post (e-Boks), recorded"),
    "letter": _("Letter, recorded"), "delivered": _("Delivered"), "recorded": _("Recorded as sent"),
    "refused": _("Not sent"), "meeting": _("Meeting"), "participants": _("Participants"),
    "decisions": _("Decisions"), "child_view": _("The child's view"), "parents_view": _("The parents' view"),
    "no_consent_or_basis": _("no consent or legal basis covered it"),
    "consent_not_from_every_custody_holder": _("the consent is not from every custody holder"),
    "no_organisation_link": _("the organisation is not linked to the child"),
    "no_recipient": _("no recipient"), "no_rule": _("no rule for this participant"),
    # legal bases (trappen/collaboration/data/legal_bases.toml)
    "early_preventive_exchange": _("Exchange of information in early preventive collaboration"),
    "childrens_house_exchange": _("Exchange during a children's house case"),
}


def choices(codes: tuple[str, ...]) -> list[tuple[str, object]]:
    """``(code, label)`` pairs for a model or form field."""
    return [(c, LABELS.get(c, c)) for c in codes]
