"""The core's names for codes (trappen.labels): Danish and English, from the catalogue files;
an unknown code comes back as it is."""

from trappen.kpi import kpi_catalogue
from trappen.labels import duty_name, intervention_name, kpi_name, numbered_step_name, state_name, step_name
from trappen.staircase import default_catalogue, default_staircase


def test_names_come_from_the_catalogue_files():
    step = default_staircase().step(3)
    assert step_name(3, language="da") == step.name_da and step_name("3", language="en") == step.name_en
    assert numbered_step_name(3, language="da") == f"3. {step.name_da}"
    kind = default_catalogue().types[0]
    assert intervention_name(kind.code, language="en") == kind.name_en
    kpi = kpi_catalogue()[0]
    assert kpi_name(kpi.code, language="da") == kpi.name_da
    assert duty_name("D1", language="da") != "D1"


def test_forecast_states_and_step_zero():
    assert step_name(0, language="da") == "Ikke på trappen" == state_name("not_on_staircase", language="da")
    assert state_name("step_5", language="en") == f"5. {default_staircase().step(5).name_en}"
    for state in ("left_municipality", "aftercare", "ended"):
        assert state_name(state, language="da") != state_name(state, language="en") != state


def test_unknown_codes_stay_readable():
    assert intervention_name("NO_SUCH", language="da") == "NO_SUCH"
    assert step_name(99, language="da") == "99" and numbered_step_name(99, language="en") == "99"
    assert kpi_name("NO_SUCH", language="en") == "NO_SUCH" and duty_name("D999", language="en") == "D999"
    assert state_name("somewhere", language="da") == "somewhere"


def test_the_web_labels_are_the_core_names():
    """One source: the web's label filter gives the core's names for the catalogue kinds."""
    from django.utils import translation

    from trappen.web.labels import label

    kind = default_catalogue().types[0]
    for language in ("da", "en"):
        with translation.override(language):
            assert label(kind.code, "intervention") == intervention_name(kind.code, language=language)
            assert label("3", "step") == step_name(3, language=language)
            assert label("step_3", "state") == state_name("step_3", language=language)
            assert label("NEW_CASES", "kpi") == kpi_name("NEW_CASES", language=language)
