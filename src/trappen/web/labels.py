"""The one source of the names users read for codes, in Danish and English.

Pages, forms, exports and reports show ``label(code, kind)``, never the code. Catalogue data
(interventions, steps, duties, KPIs) carries its own ``name_da``/``name_en`` in the rule files and
is named by the core's :mod:`trappen.labels` (which the annual report uses too); only the web's
own code lists are translated with gettext here. In templates::

    {% load labels %}
    {{ episode.intervention_code|label:"intervention" }}

Kinds: ``intervention``, ``step``, ``category``, ``outcome`` (assessment of a notification),
``notifier``, ``end_reason``, ``appeals_outcome``, ``conversation``, ``event`` (casework
timeline), ``duty`` and ``legal_source`` (both by duty id), ``kpi``, ``state`` (a forecast
state: ``step_3``, ``aftercare``, ...). An unknown code is shown as it is: data from another
catalogue than the one in force must still be readable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from trappen import labels as core
from trappen.deadlines import default_collaboration_duties, default_duties
from trappen.kpi import kpi_catalogue
from trappen.web import rules

OUTCOMES: Mapping[str, Promise] = {
    # Barnets Lov § 136 (assessment within 24 hours), then § 19 (afdækning) or § 20 (undersøgelse)
    "no_action": _("No further action"),
    "preliminary_inquiry": _("Preliminary inquiry (§ 19)"),
    "investigation": _("Child investigation (§ 20)"),
    "immediate_measure": _("Immediate measure"),
}

NOTIFIERS: Mapping[str, Promise] = {
    "school": _("School"),
    "daycare": _("Daycare"),
    "health_visitor": _("Health visitor"),
    "health_service": _("Health service"),
    "police": _("Police"),
    "social_services": _("Social services"),
    "parent": _("Parent"),
    "child": _("The child or young person"),
    "relative": _("Relative or network"),
    "citizen": _("Citizen"),
    "anonymous": _("Anonymous"),
    "other_professional": _("Other professional"),
}

END_REASONS: Mapping[str, Promise] = {
    "goal_reached": _("Goal reached"),
    "planned_end": _("Ended as planned"),
    "moved_up": _("Moved up the staircase"),
    "moved_down": _("Moved down the staircase"),
    "breakdown": _("Placement breakdown"),
    "moved_away": _("Moved out of the municipality"),
    "turned_18": _("Turned 18"),
    "turned_23": _("Turned 23"),
    "other": _("Other reason"),
}

APPEALS_OUTCOMES: Mapping[str, Promise] = {
    "upheld": _("Decision upheld"),
    "changed": _("Decision changed"),
    "remitted": _("Sent back to the municipality"),
    "dismissed": _("Complaint dismissed"),
}

CONVERSATIONS: Mapping[str, Promise] = {
    "alone": _("the child alone"),
    "with_parent": _("with a parent"),
    "with_other_adult": _("with another adult"),
}

EVENTS: Mapping[str, Promise] = {
    "notification": _("Notification"),
    "investigation": _("Child investigation"),
    "intervention": _("Intervention"),
    "breakdown": _("Placement breakdown"),
    "follow_up": _("Follow-up"),
    "supervision_visit": _("Supervision visit"),
    "child_conversation": _("Child conversation"),
    "plan": _("Child's plan"),
    "plan_revision": _("Child's plan corrected"),
    "assessment_revision": _("Assessment corrected"),
    "case_closed": _("Case closed"),
    "case_reopened": _("Case reopened"),
    "complaint": _("Complaint"),
}

CATEGORIES: Mapping[str, Promise] = {
    "universal": _("Early help in universal services"),
    "preventive": _("Preventive support"),
    "home_based": _("Home-based measures"),
    "kinship_care": _("Kinship or network foster care"),
    "foster_care": _("Foster family care"),
    "residential_care": _("Residential care"),
}

PROVIDER_KINDS: Mapping[str, Promise] = {
    "own_municipality": _("Own municipality"),
    "other_municipality": _("Another municipality"),
    "region": _("A region"),
    "private": _("Private provider"),
}

OFFER_STATUSES: Mapping[str, Promise] = {
    "open": pgettext_lazy("offer status", "Open"),  # "Åben", not the button's verb "Åbn"
    "closing": _("Closing"),
    "closed": _("Closed"),
}

EVIDENCE_LEVELS: Mapping[str, Promise] = {
    "not_assessed": _("Not assessed"),
    "practice_based": _("Practice-based"),
    "promising": _("Promising practice"),
    "documented": _("Documented"),
    "evidence_based": _("Evidence-based"),
}

AVAILABILITY_REASONS: Mapping[str, Promise] = {
    "no_free_place": _("No open offer with a free place"),
    "waiting_too_long": _("Waiting passes the municipality's threshold"),
}

_TABLES: Mapping[str, Mapping[str, Promise]] = {
    "outcome": OUTCOMES, "notifier": NOTIFIERS, "end_reason": END_REASONS,
    "appeals_outcome": APPEALS_OUTCOMES, "conversation": CONVERSATIONS, "event": EVENTS,
    "category": CATEGORIES, "provider_kind": PROVIDER_KINDS, "offer_status": OFFER_STATUSES,
    "evidence_level": EVIDENCE_LEVELS, "availability_reason": AVAILABILITY_REASONS,
}


def _english() -> bool:
    return (get_language() or "da").startswith("en")


def _language() -> str:
    return "en" if _english() else "da"


# catalogue kinds: the core's names (trappen.labels), with the catalogue and staircase in force
def _intervention(code: str) -> str:
    return core.intervention_name(code, language=_language(), catalogue=rules.catalogue())


def _step(code: str) -> str:
    return core.step_name(code, language=_language(), staircase=rules.staircase())


def _state(code: str) -> str:
    return core.state_name(code, language=_language(), staircase=rules.staircase())


def _duty(code: str) -> str:
    return core.duty_name(code, language=_language())


def _kpi(code: str) -> str:
    return core.kpi_name(code, language=_language())


def _legal_source(code: str) -> str:
    """The duty's section of Barnets Lov as the law is named, with the former Serviceloven
    section for records made before 2024."""
    try:
        duty = default_duties().get(code)
    except KeyError:
        try:  # a collaboration duty rests on the municipality's rule, not on a section
            return default_collaboration_duties().get(code).source(_language())
        except KeyError:
            return code
    former = duty.serviceloven.strip()
    if former and former != "—":
        return _g("Barnets Lov %(section)s (formerly Serviceloven %(former)s)") % {
            "section": duty.barnets_lov, "former": former}
    return f"Barnets Lov {duty.barnets_lov}"


_CATALOGUE: Mapping[str, Callable[[str], str]] = {
    "intervention": _intervention, "step": _step, "duty": _duty, "legal_source": _legal_source, "kpi": _kpi,
    "state": _state,
}

KINDS = (*_TABLES, *_CATALOGUE)


def label(code: object, kind: str) -> str:
    """What the user reads for ``code`` of ``kind`` in the active language; ``""`` for no code.

    Raises:
        KeyError: ``kind`` is not one of :data:`KINDS` (a programming error, not bad data).
    """
    if code is None or code == "":
        return ""
    if kind in _CATALOGUE:
        return _CATALOGUE[kind](str(code))
    table = _TABLES[kind]
    return str(table.get(str(code), code))


def choices(kind: str) -> list[tuple[str, Promise]]:
    """``(code, lazy label)`` pairs of a gettext table, for model and form ``choices``."""
    return list(_TABLES[kind].items())


def all_codes() -> dict[str, tuple[str, ...]]:
    """Every code of every kind in force (the catalogue's, the staircase's, the duties')."""
    codes = {kind: tuple(table) for kind, table in _TABLES.items()}
    duties = (*default_duties().ids, *(d.id for d in default_collaboration_duties().duties))
    return codes | {"intervention": rules.catalogue().codes,
                    "step": tuple(str(n) for n in rules.staircase().numbers),
                    "duty": duties, "legal_source": duties, "kpi": tuple(k.code for k in kpi_catalogue()),
                    "state": ("not_on_staircase", *(f"step_{n}" for n in rules.staircase().numbers),
                              "left_municipality", "aftercare", "ended")}


def episode_label(episode: object) -> str:
    """``"Almen plejefamilie (trin 5)"``: an intervention with its step."""
    return _g("%(intervention)s (step %(step)s)") % {
        "intervention": label(getattr(episode, "intervention_code", ""), "intervention"),
        "step": getattr(episode, "step", "")}
