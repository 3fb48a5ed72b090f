"""The paragraph code on every measure (issue 20): the catalogue, the staircase and the DST
delivery agree, and the code table is data with a source on every row."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.errors import ConfigurationError
from trappen.staircase import default_catalogue, default_paragraph_codes, load_paragraph_codes

# DST TIMES PGF page (shared/reference/dst/dst_pgf_codes.csv): the person- and family-directed codes
TIMES_PGF = {"200", "210", "220", "225", "230", "240", "245", "250", "252", "260", "270", "271", "272", "273",
             "274", "275", "280", "290", "299", "400", "401", "402", "403", "404", "405", "406", "407", "415",
             "420", "425", "430", "435", "440", "450", "451", "452", "455"}


def test_every_intervention_of_the_catalogue_has_a_paragraph_code_row():
    assert default_paragraph_codes().uncovered(default_catalogue()) == []


def test_every_row_names_a_known_intervention_and_a_source():
    catalogue = default_catalogue()
    for row in default_paragraph_codes().rows:
        assert row.intervention in catalogue, row.intervention
        assert len(row.source) > 10, row.intervention


def test_the_section_agrees_with_the_catalogues_legal_basis():
    catalogue = default_catalogue()
    for row in default_paragraph_codes().rows:
        if row.statistic in ("L201", "L231", "placement"):
            assert f"§ {row.section_number}" in catalogue.get(row.intervention).barnets_lov \
                or f"§§ {row.section_number}" in catalogue.get(row.intervention).barnets_lov, row.intervention


def test_placements_are_not_in_l201_and_step_one_is_not_reported():
    catalogue = default_catalogue()
    placement_steps = set(catalogue.staircase.placement_steps)
    for row in default_paragraph_codes().rows:
        steps = set(catalogue.get(row.intervention).steps)
        if steps <= placement_steps:
            assert row.statistic == "placement", row.intervention
        if steps == {1}:
            assert row.statistic == "none", row.intervention


def test_delivered_codes_are_on_dsts_pgf_list():
    for row in default_paragraph_codes().rows:
        if row.statistic == "L201":
            assert row.dst_code in TIMES_PGF, row.intervention


def test_the_code_valid_on_the_start_date_is_used(tmp_path):
    f = tmp_path / "codes.toml"
    f.write_text(
        '[[codes]]\nintervention = "FAMILY_TREATMENT"\nstatistic = "L201"\nsection = "SEL § 52"\ndst_code = "420"\n'
        'confidence = "dst"\nsource = "old code until 2024"\nvalid_to = 2024-01-01\n'
        '[[codes]]\nintervention = "FAMILY_TREATMENT"\nstatistic = "L201"\nsection = "BL § 32"\ndst_code = "425"\n'
        'confidence = "dst"\nsource = "new code from 2024"\nvalid_from = 2024-01-01\n', encoding="utf-8")
    codes = load_paragraph_codes(f)
    assert codes.for_intervention("FAMILY_TREATMENT", on=dt.date(2023, 12, 31)).dst_code == "420"
    assert codes.for_intervention("FAMILY_TREATMENT", on=dt.date(2024, 1, 1)).dst_code == "425"
    assert codes.for_intervention("MST", on=dt.date(2024, 1, 1)) is None


@pytest.mark.parametrize(("body", "message"), [
    ('statistic = "L201"\nsection = "x"\nconfidence = "dst"\nsource = "s"\n', "needs a 3-digit dst_code"),
    ('statistic = "L999"\nsection = "x"\nconfidence = "dst"\nsource = "s"\n', "unknown statistic"),
    ('statistic = "none"\nsection = "x"\ndst_code = "405"\nconfidence = "not_reported"\nsource = "s"\n',
     "leave dst_code out"),
    ('statistic = "L201"\nsection = "x"\ndst_code = "405"\nconfidence = "not_reported"\nsource = "s"\n',
     "not_reported"),
    ('statistic = "L201"\nsection = "x"\ndst_code = "405"\nconfidence = "dst"\nsource = "s"\ncolour = 1\n',
     "unknown key"),
    ('statistic = "L201"\nsection = "x"\ndst_code = "405"\nconfidence = "dst"\nsource = "s"\n'
     'valid_from = 2025-01-01\nvalid_to = 2024-01-01\n', "must be after"),
])
def test_a_bad_row_is_refused_by_name(tmp_path, body, message):
    f = tmp_path / "codes.toml"
    f.write_text(f'[[codes]]\nintervention = "MST"\n{body}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message) as exc:
        load_paragraph_codes(f)
    assert "MST" in str(exc.value)


def test_overlapping_rows_are_refused(tmp_path):
    row = ('[[codes]]\nintervention = "MST"\nstatistic = "L201"\nsection = "x"\ndst_code = "420"\n'
           'confidence = "dst"\nsource = "s"\n')
    f = tmp_path / "codes.toml"
    f.write_text(row + row, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="overlap"):
        load_paragraph_codes(f)
