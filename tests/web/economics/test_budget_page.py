"""Budget against actual: a budget file (CSV or Excel) per step and year, the deviation by
month against spending from the register at the stored prices, with a year-end projection;
a bad file names row and column and writes nothing."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from trappen.economics import default_rates, spending
from trappen.web.economics.models import BudgetLine

BUDGET = {1: 100_000.0, 2: 400_000.0, 3: 900_000.0, 4: 1_200_000.0, 5: 2_500_000.0, 6: 6_000_000.0}


def _csv(tmp_path, lines, name="budget.csv"):
    p = tmp_path / name
    p.write_text("step,year,budget_dkk\n" + "".join(f"{a},{b},{c}\n" for a, b, c in lines), encoding="utf-8")
    return p


def _xlsx(tmp_path, lines, name="budget.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["step", "year", "budget_dkk"])
    for line in lines:
        sheet.append(list(line))
    p = tmp_path / name
    book.save(p)
    return p


def _upload(client, path):
    with path.open("rb") as f:
        return client.post("/economics/budget/", {"file": f})


def test_excel_budget_against_actual_with_projection(as_role, loaded, tmp_path):
    client = as_role("economist")
    response = _upload(client, _xlsx(tmp_path, [(s, 2025, v) for s, v in BUDGET.items()]))
    assert response.status_code == 302 and response["Location"].endswith("?year=2025")
    assert dict(BudgetLine.objects.filter(year=2025).values_list("step", "budget_dkk")) == BUDGET
    page = client.get("/economics/budget/", {"year": 2025, "through": 6})
    assert page.status_code == 200
    report = page.context["report"]
    actual = spending(loaded, rates=default_rates(), start=dt.date(2025, 1, 1), end=dt.date(2025, 7, 1),
                      by=("step",), price_year=2025)
    by_step = {r["step"]: r for r in report.by_step}
    assert actual.height >= 4 and set(by_step) == set(BUDGET)
    for step, amount in zip(actual["step"], actual["amount_dkk"], strict=True):
        row = by_step[int(step)]
        assert row["cumulative_actual_dkk"] == pytest.approx(amount)
        assert row["cumulative_budget_dkk"] == pytest.approx(BUDGET[int(step)] / 2)
        assert row["projected_year_end_dkk"] == pytest.approx(amount * 12 / 6)
        assert row["year_budget_dkk"] == BUDGET[int(step)]
    assert report.total["cumulative_actual_dkk"] == pytest.approx(actual["amount_dkk"].sum())
    assert [r["month"] for r in report.by_month] == [1, 2, 3, 4, 5, 6]
    assert len(report.chart["budget"]) == 12 and len(report.chart["actual"]) == 6
    assert report.chart["budget"][-1] == pytest.approx(sum(BUDGET.values()), abs=1)
    html = page.content.decode()
    assert 'id="budget-data"' in html and "budget.js" in html and 'id="budget-by-step"' in html


def test_a_csv_budget_replaces_the_years_it_holds(as_role, tmp_path):
    client = as_role("economist")
    assert _upload(client, _csv(tmp_path, [(1, 2024, 10), (2, 2024, 20), (1, 2025, 30)])).status_code == 302
    assert _upload(client, _csv(tmp_path, [(3, 2025, 99)], name="b2.csv")).status_code == 302
    assert sorted(BudgetLine.objects.values_list("step", "year", "budget_dkk")) == [
        (1, 2024, 10.0), (2, 2024, 20.0), (3, 2025, 99.0)]


@pytest.mark.parametrize(("lines", "named"), [
    ([(1, 2025, 100), (2, 2025, "lots")], ["række 2", "budget_dkk", "lots"]),
    ([(1, 2025, 100), (9, 2025, 5)], ["række 2", "step", "9"]),
    ([(1, 2025, 100), (1, 2025, 5)], ["række 2", "step", "1/2025"]),
])
def test_a_bad_line_is_named_and_nothing_is_saved(as_role, tmp_path, lines, named):
    client = as_role("economist")
    for path in (_csv(tmp_path, lines), _xlsx(tmp_path, lines)):
        response = _upload(client, path)
        assert response.status_code == 422, path
        text = " ".join(response.context["form"].non_field_errors())
        for part in named:
            assert part in text, (part, text)
        assert 'id="upload-problems"' in response.content.decode()
    assert BudgetLine.objects.count() == 0


def test_missing_column_and_wrong_file_type_are_named(as_role, tmp_path):
    client = as_role("economist")
    p = tmp_path / "budget.csv"
    p.write_text("step,year,amount\n1,2025,5\n", encoding="utf-8")
    response = _upload(client, p)
    assert response.status_code == 422 and "budget_dkk" in " ".join(response.context["form"].non_field_errors())
    p = tmp_path / "budget.pdf"
    p.write_bytes(b"%PDF-1.4")
    response = _upload(client, p)
    assert response.status_code == 422 and "budget.pdf" in " ".join(response.context["form"].errors["file"])
    assert BudgetLine.objects.count() == 0


def test_a_year_without_a_price_index_is_explained(as_role, loaded, tmp_path):
    client = as_role("economist")
    assert _upload(client, _csv(tmp_path, [(1, 2031, 100)])).status_code == 302
    page = client.get("/economics/budget/", {"year": 2031})
    assert page.status_code == 200 and page.context["report"] is None
    assert "2031" in page.context["note"] and 'id="budget-note"' in page.content.decode()


def test_only_economists_import_or_see_the_budget(as_role, tmp_path):
    for role in ("analyst", "admin", "teamleader"):
        c = as_role(role)
        assert c.get("/economics/budget/").status_code == 403
        assert _upload(c, _csv(tmp_path, [(1, 2025, 1)])).status_code == 403
    assert BudgetLine.objects.count() == 0
