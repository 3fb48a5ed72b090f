from datetime import date

import pytest

from trappen.errors import ConfigurationError, EscalationNeedsJustification, StepNotAllowed
from trappen.staircase import (
    Span,
    check_escalation,
    check_step_allowed,
    current_step,
    default_catalogue,
    default_staircase,
    load_catalogue,
    load_staircase,
    steps_needing_reasons,
    trajectory,
)

BORAAS = "src/trappen/staircase/data/boraas.toml"


def test_default_staircase_has_socialstyrelsens_six_steps():
    s = default_staircase()
    assert s.numbers == (1, 2, 3, 4, 5, 6)
    assert s.step(3).name_da == "Hjemmebaserede foranstaltninger"
    assert s.placement_steps == (4, 5, 6)


def test_catalogue_covers_every_step_with_sourced_prices():
    c = default_catalogue()
    assert len(c.types) >= 25
    for step in default_staircase().numbers:
        assert c.for_step(step), step
    for t in c.types:
        assert t.price_source and t.price_year >= 2000 and t.barnets_lov and t.serviceloven
    assert c.get("FOSTER_GENERAL").cost_dkk_per_day == pytest.approx(470000 / 365, rel=1e-3)


def test_a_five_step_staircase_loads_and_drives_the_rules(tmp_path):
    boraas = load_staircase(BORAAS)
    assert boraas.numbers == (1, 2, 3, 4, 5) and boraas.placement_steps == (4, 5)
    cat = tmp_path / "c.toml"
    cat.write_text('''[[interventions]]
code = "FH"
name_da = "Familiehjem"
name_en = "Family home"
steps = [4]
barnets_lov = "-"
serviceloven = "-"
unit = "day"
price_dkk = 1000
price_year = 2024
price_source = "estimate: test"
units_per_day = 1
''')
    assert load_catalogue(cat, staircase=boraas).get("FH").steps == (4,)
    with pytest.raises(ConfigurationError, match="not on the staircase"):
        load_catalogue(staircase=boraas)  # the six-step catalogue uses step 6


def test_malformed_staircase_names_the_problem(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('[[steps]]\nnumber = 2\ncategory = "universal"\nname_da = "a"\nname_en = "a"\n')
    with pytest.raises(ConfigurationError, match="numbered 1..1"):
        load_staircase(bad)


def test_every_mistake_in_a_staircase_is_named_with_its_key_path(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('[[steps]]\nnumber = 1\ncategory = "daycare"\nname_da = "a"\nname_en = "a"\n'
                   '[[steps]]\nnumber = "2"\ncategory = "preventive"\nname_en = "b"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_staircase(bad)
    assert [(p.field, p.value) for p in err.value.problems] == [
        ("steps[0].category", "daycare"), ("steps[1].number", "2"), ("steps[1].name_da", None)]
    assert str(err.value).startswith(f"{bad}: steps[0].category: unknown category; use one of universal, ")
    step = '[[steps]]\nnumber = {}\ncategory = "universal"\nname_da = "a"\nname_en = "a"\n'
    bad.write_text(step.format(2) + step.format(1), encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_staircase(bad)
    assert [(p.field, p.value) for p in err.value.problems] == [("steps[0].number", 2), ("steps[1].number", 1)]
    assert "steps[0].number: steps must be numbered 1..2 in order; expected 1 (value: 2)" in str(err.value)


def test_every_mistake_in_a_catalogue_is_named_with_its_key_path(tmp_path):
    boraas = load_staircase(BORAAS)
    cat = tmp_path / "c.toml"
    entry = ('[[interventions]]\ncode = "{code}"\nname_da = "x"\nname_en = "x"\nsteps = {steps}\n'
             'barnets_lov = "-"\nserviceloven = "-"\nunit = "{unit}"\nprice_dkk = {price}\nprice_year = 2024\n'
             'price_source = "estimate: test"\nunits_per_day = 1\n')
    cat.write_text(entry.format(code="FH", steps="[4, 6]", unit="night", price=1000)
                   + entry.format(code="DAY", steps="[]", unit="day", price=-5), encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_catalogue(cat, staircase=boraas)
    assert [(p.field, p.value) for p in err.value.problems] == [
        ("interventions.FH.steps[1]", 6), ("interventions.FH.unit", "night"),
        ("interventions.DAY.steps", []), ("interventions.DAY.price_dkk", -5)]
    text = str(err.value)
    assert "interventions.FH.steps[1]: step not on the staircase 1, 2, 3, 4, 5 (value: 6)" in text
    assert "interventions.DAY.steps: needs at least one step" in text
    cat.write_text(entry.format(code="FH", steps="[4]", unit="day", price=1) * 2, encoding="utf-8")
    duplicate = r"interventions\[1\]\.code: duplicate code \(also interventions\[0\]\)"
    with pytest.raises(ConfigurationError, match=duplicate):
        load_catalogue(cat, staircase=boraas)


def test_current_step_is_the_highest_active_step_and_end_is_exclusive():
    spans = [Span(step=2, start=date(2024, 1, 1), end=date(2024, 6, 1)),
             Span(step=5, start=date(2024, 3, 1), end=date(2024, 4, 1))]
    assert current_step(spans, on=date(2023, 12, 31)) == 0
    assert current_step(spans, on=date(2024, 3, 15)) == 5
    assert current_step(spans, on=date(2024, 4, 1)) == 2
    assert current_step(spans, on=date(2024, 6, 1)) == 0
    assert trajectory(spans) == [(date(2024, 1, 1), 2), (date(2024, 3, 1), 5),
                                 (date(2024, 4, 1), 2), (date(2024, 6, 1), 0)]


def test_escalation_needs_a_reason_for_every_step_passed_over():
    assert steps_needing_reasons(current=0, target=5) == [1, 2, 3, 4]
    assert steps_needing_reasons(current=3, target=5) == [3, 4]
    assert steps_needing_reasons(current=0, target=1) == []
    assert steps_needing_reasons(current=5, target=3) == []
    with pytest.raises(EscalationNeedsJustification) as err:
        check_escalation(current=0, target=5, reasons={1: "tried in daycare for a year", 2: "no"})
    assert err.value.missing_steps == [2, 3, 4]
    assert "justification" in str(err.value)
    check_escalation(current=0, target=5, reasons={s: f"step {s} does not meet the need" for s in range(1, 5)})
    check_escalation(current=5, target=3, reasons=None)  # moving down needs none


def test_step_must_be_allowed_for_the_type():
    c = default_catalogue()
    check_step_allowed(c, code="FOSTER_GENERAL", step=5)
    with pytest.raises(StepNotAllowed, match="may be used on step"):
        check_step_allowed(c, code="FOSTER_GENERAL", step=3)
    with pytest.raises(StepNotAllowed, match="unknown intervention type"):
        check_step_allowed(c, code="NOPE", step=3)
