"""The one TOML reader of the core: rule files nested absurdly deep are a ConfigurationError
naming the file, and scenario files are refused with every bad key."""

from __future__ import annotations

import pytest

from trappen._config import MAX_TOML_DEPTH, parse_toml, read_toml
from trappen.errors import ConfigurationError, InvalidInput
from trappen.forecast import Scenario


def test_rule_file_nested_too_deep_is_a_configuration_error(tmp_path):
    for text in ("x = " + "[" * 5_000 + "]" * 5_000, "[" + ".".join(["a"] * 5_000) + "]\n"):
        path = tmp_path / "staircase.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigurationError) as err:
            read_toml(path, package="trappen.staircase", name="staircase.toml")
        assert str(path) in str(err.value) and "nested deeper" in str(err.value)


def test_the_depth_limit_is_exact():
    nested = lambda n: "x = " + "[" * n + "]" * n  # noqa: E731  (root table + n arrays)
    assert parse_toml(nested(MAX_TOML_DEPTH - 1))
    with pytest.raises(InvalidInput, match="nested deeper"):
        parse_toml(nested(MAX_TOML_DEPTH + 1))


def test_a_scenario_file_names_every_bad_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('closed_step = [6]\ncaseload_per_caseworker = "low"\nclosed_steps = [6, "7"]\n'
                    "[step_caps]\nsix = 40\n5 = -1\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        Scenario.from_toml(path)
    got = {(p.field, p.message) for p in err.value.problems}
    assert got == {
        ("closed_step", "unknown scenario key"),
        ("caseload_per_caseworker", "must be a number"),
        ("closed_steps[1]", "must be a whole number"),
        ("step_caps.six", 'keys must be step numbers, e.g. "5"'),
        ("step_caps.5", "must be >= 0"),
    }
    assert all(p.table == str(path) for p in err.value.problems)


def test_a_scenario_in_a_scenario_table_and_a_deep_one(tmp_path):
    path = tmp_path / "more.toml"
    path.write_text('[scenario]\nentrant_rate_change_pct = 10\n', encoding="utf-8")
    assert Scenario.from_toml(path) == Scenario(name="more", entrant_rate_change_pct=10.0)
    path.write_text("x = " + "{ a = " * 5_000 + "1" + " }" * 5_000, encoding="utf-8")
    with pytest.raises(InvalidInput, match="nested deeper"):
        Scenario.from_toml(path)
