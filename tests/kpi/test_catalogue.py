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
    ('[[kpis]]\ncode = "X"\n', "missing or empty key 'name_da'"),
    ('[[kpis]]\ncode="X"\nname_da="a"\nname_en="a"\ndefinition="d"\nformula="f"\nunit="u"\nbetter="up"\nsource="s"\n',
     "better must be one of"),
    ('[[kpis]]\ncode="X"\nname_da="a"\nname_en="a"\ndefinition="d"\nformula="f"\nunit="u"\nbetter="higher"\n'
     'source="s"\ndimensions=["colour"]\n', "unknown dimension"),
    ("nothing = 1\n", "at least one"),
])
def test_malformed_catalogue(tmp_path, body, message):
    path = tmp_path / "k.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_kpi_catalogue(path)
