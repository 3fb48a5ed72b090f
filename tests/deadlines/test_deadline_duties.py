"""The duties data file and the configuration."""

import re

import pytest

from trappen.deadlines import DeadlineConfig, default_duties, load_duties
from trappen.errors import ConfigurationError, InvalidInput


def test_all_seventeen_duties_with_sources():
    duties = default_duties()
    assert duties.ids == tuple(f"D{i}" for i in range(1, 18))
    assert {d.id for d in duties.computed} == {"D1", "D2", "D6", "D8", "D9", "D10", "D11", "D12", "D14", "D16"}
    for duty in duties.duties:
        assert duty.name_da and duty.name_en and duty.barnets_lov and duty.serviceloven


def test_rule_numbers_as_in_the_law():
    d = default_duties()
    assert d["D1"].param("hours") == 24  # § 136
    assert d["D2"].param("working_days") == 6  # § 136 (tidl. SEL § 155 b stk. 1)
    assert d["D6"].param("months") == 4  # § 20 stk. 3
    assert d["D8"].param("months") == d["D9"].param("months") == 3  # § 91
    assert d["D10"].param("months") == 3  # § 95
    assert d["D11"].param("interval_months") == 3  # Herning practice
    assert d["D12"].param("visits_per_year") == 2  # § 156 stk. 5
    assert d["D14"].param("months_before_18") == 6  # § 108
    assert d["D16"].param("weeks") == 4  # retssikkerhedsloven § 67
    assert d["D1"].legal_source == "Barnets Lov § 136 (tidl. serviceloven § 155 stk. 2)"
    assert d["D7"].legal_source == "Barnets Lov § 21 stk. 2"


def test_config_interval_defaults_to_data_and_overrides():
    assert DeadlineConfig().interval_months == 3
    assert DeadlineConfig(follow_up_interval_months=6).interval_months == 6


@pytest.mark.parametrize("kwargs", [{"follow_up_interval_months": 0}, {"plan_lead_days": -1},
                                    {"ungeplan_from_age_years": 18}, {"follow_up_interval_months": "3"}])
def test_bad_config_refused_naming_the_field(kwargs):
    with pytest.raises(InvalidInput) as info:
        DeadlineConfig(**kwargs)
    (name,) = kwargs
    assert info.value.problems[0].field == name


def test_malformed_duties_file_names_the_duty_and_key(tmp_path):
    text = (default_duties_path()).read_text(encoding="utf-8").replace("hours = 24", "minutes = 1440")
    path = tmp_path / "duties.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"duties\.D1\.params\.hours: missing"):
        load_duties(path)
    with pytest.raises(ConfigurationError, match="file not found"):
        load_duties(tmp_path / "nope.toml")


def test_every_mistake_in_a_duties_file_is_named_with_its_key_path(tmp_path):
    text = (default_duties_path().read_text(encoding="utf-8")
            .replace("hours = 24", "hours = 0")                         # D1: not a positive number
            .replace('ref_table = "notifications"\n[duties.params]\nworking_days = 6',
                     'ref_table = "letters"\n[duties.params]\nworking_days = 6')  # D2: unknown table
            .replace('id = "D3"\nname_da = "Tilbagemelding til fagperson"', 'id = "D3"\nname_da = ""'))
    path = tmp_path / "duties.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_duties(path)
    assert {(p.field, p.value) for p in err.value.problems} == {
        ("duties.D1.params.hours", 0), ("duties.D3.name_da", "")}
    assert "duties.D1.params.hours: must be > 0 (value: 0)" in str(err.value)
    assert str(path) in str(err.value)
    # once the types are right, the engine's own needs are checked, again all at once
    path.write_text(text.replace("hours = 0", "minutes = 1440").replace('name_da = ""', 'name_da = "x"'),
                    encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_duties(path)
    assert {(p.field, p.value) for p in err.value.problems} == {
        ("duties.D1.params.hours", None), ("duties.D2.ref_table", "letters")}


def test_custom_duties_file_changes_the_rule(tmp_path):
    text = default_duties_path().read_text(encoding="utf-8").replace("weeks = 4", "weeks = 2")
    path = tmp_path / "duties.toml"
    path.write_text(text, encoding="utf-8")
    assert load_duties(path)["D16"].param("weeks") == 2


def default_duties_path():
    from importlib import resources
    return resources.files("trappen.deadlines") / "data" / "duties.toml"


def test_duties_frame_joins_labels():
    from trappen.deadlines import duties_frame
    frame = duties_frame()
    assert frame.height == 17 and frame["duty_id"].is_unique().all()
    row = frame.filter(frame["duty_id"] == "D6").row(0, named=True)
    assert row["name_da"] == "Børnefaglig undersøgelse" and row["computed"] is True
    assert row["legal_source"] == "Barnets Lov § 20 stk. 3 (tidl. serviceloven § 50 stk. 7)"


def test_no_legal_source_is_a_placeholder():
    """Users read the legal source (#15 item 6): a section as the law names it, never a note
    to ourselves such as "(exact stk. to be checked)"."""
    for duty in default_duties().duties:
        assert re.fullmatch(r"§§? [\w§ ,;.-]+", duty.barnets_lov) and "(" not in duty.barnets_lov, duty.id
        assert "check" not in duty.legal_source and "?" not in duty.legal_source, duty.id
