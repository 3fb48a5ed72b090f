"""Case files at the boundary: case -> TOML (tomli-w) -> case is the identity, every problem of
a bad file is reported with its key path, and absurd nesting is refused by name."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from trappen.economics import case_from_dict, case_to_toml, herning_pilot_path, load_case
from trappen.errors import InvalidInput


def test_a_case_survives_toml_and_back_unchanged(golden, tmp_path):
    # the dataclass case equals the one read back from its own TOML text (distributions,
    # price-year conversion and defaults included), for the Herning pilot and a shift case
    herning = tomllib.loads(Path(herning_pilot_path()).read_text(encoding="utf-8"))
    shift = golden(0.035)
    shift["effect"] = {"kind": "shift", "child_years": {"6": [0, -1.5, -2]}, "scale": 0.8}
    for data in (herning, golden(0.035), shift):
        text = case_to_toml(data)
        path = tmp_path / "case.toml"
        path.write_text(text, encoding="utf-8")
        assert load_case(path) == case_from_dict(data)
        assert tomllib.loads(text) == data
    assert "[[prices]]" in case_to_toml(herning)  # long tables stay readable sections


def test_a_file_with_several_errors_names_each_field(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        """
[case]
name = "several errors"
price_year = "2024"
horizon_years = 0

[discount]
periods = [ { from_year = 0, to_year = "never", rate_per_year = 0.035 } ]

[[costs]]
name = "Extra caseworkers"
fte = "two"
dkk_per_fte_per_year = { dist = "normal", mean = 500000 }

[[prices]]
step = 6
municipality = 1160000
county = 5

[effect]
kind = "som"
success_rate_with = 0.5
phase_in = [0.5, "full"]

[effect.use_change_per_success]
six = -1.0
""",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as err:
        load_case(path)
    got = {p.field: p.value for p in err.value.problems}
    assert got == {
        "case.price_year": "2024",
        "case.horizon_years": 0,
        "discount.periods[0].to_year": "never",
        "costs.Extra caseworkers.fte": "two",
        "costs.Extra caseworkers.dkk_per_fte_per_year.sd": None,
        "prices.6.price_year": None,
        "prices.6.county": 5,
        "effect.success_rate_without": None,
        "effect.phase_in[1]": "full",
        "effect.use_change_per_success.six": "six",
    }
    messages = {p.field: p.message for p in err.value.problems}
    assert messages["case.price_year"] == "must be a whole number"
    assert messages["prices.6.price_year"] == "every price needs its price year"
    assert "normal distribution needs a number 'sd'" in messages["costs.Extra caseworkers.dkk_per_fte_per_year.sd"]
    assert all(p.field in str(err.value) for p in err.value.problems)


def _deep_texts(levels: int) -> dict[str, str]:
    return {
        "arrays": "x = " + "[" * levels + "]" * levels + "\n",
        "inline tables": "x = " + "{ a = " * levels + "1" + " }" * levels + "\n",
        "table headers": "[" + ".".join(["a"] * levels) + "]\nb = 1\n",
    }


@pytest.mark.parametrize("kind", ["arrays", "inline tables", "table headers"])
def test_deeply_nested_toml_is_refused_not_a_recursion_error(tmp_path, kind):
    path = tmp_path / "deep.toml"
    path.write_text(_deep_texts(5_000)[kind], encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        load_case(path)
    (problem,) = err.value.problems
    assert "nested deeper than" in problem.message
    assert len(str(err.value)) < 300  # the message quotes no 5,000-level value


def test_a_deeply_nested_dict_is_refused_naming_its_key():
    deep: dict = {"b": 1}
    for _ in range(5_000):
        deep = {"a": deep}
    with pytest.raises(InvalidInput) as err:
        case_from_dict({"case": {"name": "x", "price_year": 2024, "description": deep}})
    (problem,) = err.value.problems
    assert problem.field.startswith("case.description.a.a") and "nested deeper" in problem.message
    with pytest.raises(InvalidInput, match="nested deeper"):
        case_to_toml({"case": deep})
