"""Danish and English names of the core's codes: interventions, steps, forecast states, KPIs and
legal duties. Pure Python (no Django), so the annual report, the CLI and the web share them;
:mod:`trappen.web.labels` builds on these and adds the web's own gettext lists.

Catalogue data carries its own names (``name_da``/``name_en`` in the staircase, intervention,
KPI and duty files); this module looks them up. An unknown code comes back as it is: data from
another catalogue than the one in force must still be readable.

    from trappen.labels import step_name, intervention_name
    step_name(3, language="da")              # "Hjemmebaserede foranstaltninger"
    intervention_name("FOSTER_GENERAL", language="en")
"""

from __future__ import annotations

from trappen.staircase import Catalogue, Staircase, default_catalogue, default_staircase

LANGUAGES = ("da", "en")

NOT_ON_STAIRCASE = {"da": "Ikke på trappen", "en": "Not on the staircase"}

# the forecast's states besides the steps (trappen.forecast StateSpace.labels)
_STATES = {
    "not_on_staircase": NOT_ON_STAIRCASE,
    "left_municipality": {"da": "Fraflyttet kommunen", "en": "Moved out of the municipality"},
    "aftercare": {"da": "Efterværn (18-22 år)", "en": "Aftercare (18-22)"},
    "ended": {"da": "Afsluttet", "en": "Ended"},
}


def _lang(language: str) -> str:
    return "en" if language.startswith("en") else "da"


def intervention_name(code: str, *, language: str, catalogue: Catalogue | None = None) -> str:
    """The intervention type's name in ``language`` (the catalogue in force, else the shipped one)."""
    catalogue = catalogue or default_catalogue()
    return catalogue.get(code).name(_lang(language)) if code in catalogue else code


def step_name(number: int | str, *, language: str, staircase: Staircase | None = None) -> str:
    """The step's name (``0``: not on the staircase); the number as text when there is no such step."""
    try:
        n = int(number)
        if n == 0:
            return NOT_ON_STAIRCASE[_lang(language)]
        return (staircase or default_staircase()).step(n).name(_lang(language))
    except (KeyError, ValueError):
        return str(number)


def numbered_step_name(number: int | str, *, language: str, staircase: Staircase | None = None) -> str:
    """``"3. Hjemmebaserede foranstaltninger"``: the step with its number, as tables head it."""
    name = step_name(number, language=language, staircase=staircase)
    return name if str(number) in ("0", name) else f"{number}. {name}"


def state_name(state: str, *, language: str, staircase: Staircase | None = None) -> str:
    """A forecast state (``step_3``, ``left_municipality``, ...) by name; steps with their number."""
    if state.startswith("step_"):
        return numbered_step_name(state.removeprefix("step_"), language=language, staircase=staircase)
    names = _STATES.get(state)
    return names[_lang(language)] if names else state


def kpi_name(code: str, *, language: str) -> str:
    """The KPI's name in the KPI catalogue."""
    from trappen.kpi import kpi_catalogue

    for kpi in kpi_catalogue():
        if kpi.code == code:
            return kpi.name(_lang(language))
    return code


def duty_name(duty_id: str, *, language: str) -> str:
    """The duty's name in the duty file (Barnets Lov's, or the municipality's collaboration duties)."""
    from trappen.deadlines import default_collaboration_duties, default_duties

    for duties in (default_duties(), default_collaboration_duties()):
        try:
            return duties.get(duty_id).name(_lang(language))
        except KeyError:
            continue
    return duty_id


def state_names(states: tuple[str, ...] | list[str], *, language: str,
                staircase: Staircase | None = None) -> dict[str, str]:
    """``{state: name}`` for a frame's ``replace``."""
    return {s: state_name(s, language=language, staircase=staircase) for s in states}
