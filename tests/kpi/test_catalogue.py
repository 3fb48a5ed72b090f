"""The KPI catalogue file: complete entries, known directions and dimensions."""

import pytest

from trappen.errors import ConfigurationError
from trappen.kpi import BETTER, kpi_catalogue, load_kpi_catalogue


def test_shipped_catalogue_is_complete():
    cat = kpi_catalogue()
    codes = [k.code for k in cat]
    assert len(codes) == len(set(codes))
    assert sum(c.startswith("SS") for c in codes) == 12  # Socialstyrelsen's twelve indicators
    assert all(k.better in BETTER and k.source and k.formula for k in cat)


@pytest.mark.parametrize("body, message", [
    ('[[kpis]]\ncode = "X"\n', "kpis.X.name_da: missing"),
    ('[[kpis]]\ncode="X"\nname_da="a"\nname_en="a"\ndefinition="d"\nformula="f"\nunit="u"\nbetter="up"\nsource="s"\n',
     "kpis.X.better: unknown direction; use one of higher, lower, neutral"),
    ('[[kpis]]\ncode="X"\nname_da="a"\nname_en="a"\ndefinition="d"\nformula="f"\nunit="u"\nbetter="higher"\n'
     'source="s"\ndimensions=["colour"]\n', "unknown dimension"),
    ("nothing = 1\n", "at least one"),
])
def test_malformed_catalogue(tmp_path, body, message):
    path = tmp_path / "k.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_kpi_catalogue(path)


def test_every_mistake_is_named_with_its_key_path(tmp_path):
    good = 'name_da="a"\nname_en="a"\ndefinition="d"\nformula="f"\nunit="u"\nsource="s"\n'
    no_unit = good.replace('unit="u"', 'unit=" "')
    path = tmp_path / "k.toml"
    path.write_text(f'[[kpis]]\ncode="A"\n{good}better="up"\ndimensions=["step", "colour"]\n'
                    f'[[kpis]]\ncode="B"\n{no_unit}better="lower"\n'
                    f'[[kpis]]\n{good}better="higher"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_kpi_catalogue(path)
    got = {(p.field, p.value) for p in err.value.problems}
    assert got == {("kpis.A.better", "up"), ("kpis.A.dimensions[1]", "colour"), ("kpis.B.unit", " "),
                   ("kpis[2].code", None)}
    assert all(p.table == str(path) for p in err.value.problems)
    for field in ("kpis.A.better", "kpis.A.dimensions[1]", "kpis.B.unit", "kpis[2].code: missing"):
        assert field in str(err.value)


def test_a_duplicate_code_names_both_entries(tmp_path):
    entry = '[[kpis]]\ncode="A"\nname_da="a"\nname_en="a"\ndefinition="d"\nformula="f"\nunit="u"\n' \
            'better="higher"\nsource="s"\n'
    path = tmp_path / "k.toml"
    path.write_text(entry * 2, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"kpis\[1\]\.code: duplicate code \(also kpis\[0\]\) \(value: 'A'\)"):
        load_kpi_catalogue(path)
