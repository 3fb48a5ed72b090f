"""The Excel workbook's formulas reproduce Trappen's numbers; the CLI writes every output."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from typer.testing import CliRunner

from trappen.cli import app
from trappen.economics import case_from_dict, evaluate_case, herning_pilot_path, load_case
from trappen.economics._excel import safe_text, write_workbook

_REF = re.compile(r"(?:(\w+)!)?\$?([A-Z]{1,3})\$?(\d+)")


def _evaluate(wb: openpyxl.Workbook, sheet: str, ref: str, seen: dict | None = None) -> float:
    """A tiny evaluator for the formulas the workbook uses: + - * / ^, MAX, SUM(range)."""
    seen = {} if seen is None else seen
    key = (sheet, ref)
    if key in seen:
        return seen[key]
    value = wb[sheet][ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        seen[key] = value
        return value
    expr = value[1:]

    def expand(m: re.Match) -> str:
        sh = m.group(1) or sheet
        col, a, b = m.group(2), int(m.group(3)), int(m.group(5))
        vals = [_evaluate(wb, sh, f"{col}{r}", seen) for r in range(a, b + 1)]
        return "(" + "+".join(repr(float(v)) for v in vals) + ")"

    expr = re.sub(r"SUM\((?:(\w+)!)?([A-Z]+)(\d+):([A-Z]+)(\d+)\)", expand, expr)
    expr = _REF.sub(lambda m: repr(float(_evaluate(wb, m.group(1) or sheet, f"{m.group(2)}{m.group(3)}", seen))), expr)
    expr = expr.replace("^", "**").replace("MAX(", "max(")
    result = float(eval(expr, {"__builtins__": {}}, {"max": max}))  # noqa: S307 - test-only, own formulas
    seen[key] = result
    return result


@pytest.mark.parametrize("which", ["golden", "herning", "shift"])
def test_workbook_formulas_reproduce_npv(tmp_path, golden, which):
    if which == "golden":
        case = case_from_dict(golden(0.035))
    elif which == "herning":
        case = load_case(herning_pilot_path())
    else:
        d = golden(0.035)
        d["effect"] = {"kind": "shift", "child_years": {"6": [0, -1, -2, -2]}}
        case = case_from_dict(d)
    result = evaluate_case(case)
    path = write_workbook(result, tmp_path / "case.xlsx")
    wb = openpyxl.load_workbook(path)
    assert _evaluate(wb, "Summary", "C2") == pytest.approx(result.npv_dkk, rel=1e-9)
    calc = wb["Calculation"]
    headers = [c.value for c in calc[1]]
    cum = headers.index("Cumulative net") + 1
    for t in range(case.horizon_years):
        ref = f"{openpyxl.utils.get_column_letter(cum)}{t + 2}"
        assert _evaluate(wb, "Calculation", ref) == pytest.approx(result.cumulative[t], rel=1e-9, abs=1e-6)


def test_formula_injection_neutralised(tmp_path, golden):
    assert safe_text("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_text("+1") == "'+1" and safe_text("-1") == "'-1" and safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("Plain name") == "Plain name" and safe_text(3) == 3
    d = golden()
    d["case"]["name"] = "=cmd|' /C calc'!A0"
    d["costs"][0]["name"] = "@evil"
    d["costs"][0]["source"] = "+danger"
    path = write_workbook(evaluate_case(case_from_dict(d)), tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=cmd|' /C calc'!A0" in texts
    assert not any(t.startswith(("=cmd", "@evil", "+danger")) for t in texts)
    assert any(t.startswith("'+danger") for t in texts)


def test_cli_run_writes_outputs(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["invest", "run", herning_pilot_path(), "--out", str(out),
                                   "--draws", "200", "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert "P(rule met)" in res.output and "seed 5" in res.output
    for name in ("result.json", "yearly.csv", "who_pays.csv", "tornado.csv", "draws.csv", "case.xlsx"):
        assert (out / name).exists(), name
    payload = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert payload["result"]["npv_dkk"] == pytest.approx(evaluate_case(load_case(herning_pilot_path())).npv_dkk)
    assert payload["simulation"]["draws"] == 200


def test_cli_bad_case_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[case]\nname = "x"\nprice_year = 2024\nhorizon_years = 0\n', encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["invest", "run", str(bad), "--out", str(out)])
    assert res.exit_code == 1
    assert "case.horizon_years" in res.output and "Traceback" not in res.output
    assert not out.exists()
