"""The decision rule files: legal bases with their sources, the complaint guidance with its
deadline (no Django)."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.decisions import complaint_guidance, guidance_text, legal_bases, load_complaint_guidance, load_legal_bases
from trappen.errors import ConfigurationError


def test_every_legal_basis_names_a_section_of_barnets_lov_and_its_source():
    bases = legal_bases()
    assert {"BL_20", "BL_32", "BL_43", "BL_46", "BL_47", "BL_114_116"} <= set(bases)
    for basis in bases.values():
        assert basis.section.startswith("Barnets Lov §")
        assert "reference" in basis.source


def test_the_guidance_gives_four_weeks_and_ankestyrelsen_in_danish_and_english():
    guidance = complaint_guidance()
    assert guidance.deadline_weeks == 4 and guidance.appeals_body == "Ankestyrelsen"
    basis = legal_bases()["BL_32"]
    da = guidance_text(guidance=guidance, basis=basis, decided_on=dt.date(2026, 11, 2), language="da")
    assert "Klagefristen er 4 uger" in da and "Ankestyrelsen" in da and "2026-11-02" in da
    assert "Barnets Lov § 32" in da and "retssikkerhedsloven § 67" in da
    en = guidance_text(guidance=guidance, basis=basis, decided_on=dt.date(2026, 11, 2), language="en")
    assert "4 weeks" in en and "Ankestyrelsen" in en


def test_an_unknown_placeholder_is_a_configuration_error(tmp_path):
    path = tmp_path / "guidance.toml"
    path.write_text('deadline_weeks = 4\nreassess_weeks = 4\nappeals_body = "Ankestyrelsen"\n'
                    'source = "Barnets Lov §§ 144-150"\nrequirement = "forvaltningsloven § 25"\n'
                    'to_verify = true\ntext_da = "Frist {deadline_days} dage"\ntext_en = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="placeholder"):
        load_complaint_guidance(path)


def test_a_basis_without_source_or_twice_is_refused(tmp_path):
    path = tmp_path / "bases.toml"
    row = ('[[basis]]\ncode = "BL_32"\nsection = "Barnets Lov § 32"\nname_da = "a"\nname_en = "b"\n'
           'source = "reference staircase.csv"\nto_verify = false\n')
    path.write_text(row + row, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="used twice"):
        load_legal_bases(path)
    path.write_text(row.replace('source = "reference staircase.csv"\n', ""), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="source"):
        load_legal_bases(path)
