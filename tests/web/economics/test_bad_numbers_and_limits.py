"""Bad input contained (#14 item 3): nan and infinities refused by row and column in budget and
accounts uploads and prices; an upload over the file, unpacked (.xlsx zip bomb) or row limits is
refused before it is parsed, with a clear error, and nothing is written."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from trappen.errors import InvalidInput
from trappen.web.economics.models import AccountLine, BudgetLine, Price


def _budget_csv(tmp_path, rows, name="budget.csv"):
    p = tmp_path / name
    p.write_text("step,year,budget_dkk\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows), encoding="utf-8")
    return p


def _budget_xlsx(tmp_path, rows, name="budget.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["step", "year", "budget_dkk"])
    for row in rows:
        sheet.append(list(row))
    p = tmp_path / name
    book.save(p)
    return p


def _upload(client, page, path):
    with path.open("rb") as f:
        return client.post(f"/economics/{page}/", {"file": f})


def _errors(response) -> str:
    form = response.context["form"]
    return " ".join([*form.non_field_errors(), *form.errors.get("file", [])])


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_nan_and_infinity_in_a_budget_are_named_by_row_and_column(as_role, tmp_path, value):
    client = as_role("economist")
    response = _upload(client, "budget", _budget_csv(tmp_path, [(1, 2025, 100), (2, 2025, value)]))
    assert response.status_code == 422
    text = _errors(response)
    assert "budget_dkk" in text and value in text and "2" in text, text
    assert BudgetLine.objects.count() == 0


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_nan_and_infinity_in_accounts_are_named_by_row_and_column(as_role, tmp_path, value):
    p = tmp_path / "accounts.csv"
    p.write_text(f"account,function,amount_dkk,year\n1001,5.28.20,100,2023\n1002,5.28.21,{value},2023\n",
                 encoding="utf-8")
    response = _upload(as_role("economist"), "accounts", p)
    assert response.status_code == 422
    text = _errors(response)
    assert "amount_dkk" in text and value in text, text
    assert AccountLine.objects.count() == 0


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_price_of_nan_or_infinity_is_refused(users, value):
    from trappen.web.economics.services import price_add

    with pytest.raises(InvalidInput) as exc:
        price_add(user=users["economist"], intervention_code="FAMILY_COUNSELLING", valid_from=dt.date(2025, 1, 1),
                  cost_dkk_per_day=value, price_year=2025)
    assert [p.field for p in exc.value.problems] == ["cost_dkk_per_day"]
    assert Price.objects.count() == 0


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_the_price_form_refuses_nan_and_infinity(as_role, value):
    response = as_role("economist").post("/economics/prices/", {
        "intervention_code": "FAMILY_COUNSELLING", "valid_from": "2025-01-01", "cost_dkk_per_day": value,
        "price_year": "2025", "source": "x"})
    assert response.status_code in (200, 422) and response.context["form"].errors.get("cost_dkk_per_day")
    assert Price.objects.count() == 0


def _zip_bomb(tmp_path, *, padding_bytes: int):
    """A valid workbook whose worksheet carries a long run of spaces: small packed, big unpacked."""
    plain = _budget_xlsx(tmp_path, [(1, 2025, 100)], name="plain.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * padding_bytes, 1)
            dst.writestr(item, data)
    return bomb


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_parsing(as_role, tmp_path, settings):
    settings.TRAPPEN_UPLOAD_MAX_UNPACKED_BYTES = 1_000_000
    bomb = _zip_bomb(tmp_path, padding_bytes=5_000_000)
    assert bomb.stat().st_size < 100_000  # small on the wire
    response = _upload(as_role("economist"), "budget", bomb)
    assert response.status_code == 422
    assert "bomb.xlsx" in _errors(response) and "unpacks to" in _errors(response)
    assert BudgetLine.objects.count() == 0


@pytest.mark.parametrize("make", [_budget_csv, _budget_xlsx])
def test_an_upload_over_the_row_limit_is_refused(as_role, tmp_path, settings, make):
    settings.TRAPPEN_UPLOAD_MAX_ROWS = 3
    rows = [(s, 2025, 100 * s) for s in range(1, 5)]
    response = _upload(as_role("economist"), "budget", make(tmp_path, rows))
    assert response.status_code == 422
    assert "4 rows" in _errors(response) and "3" in _errors(response), _errors(response)
    assert BudgetLine.objects.count() == 0
    settings.TRAPPEN_UPLOAD_MAX_ROWS = 4
    assert _upload(as_role("economist"), "budget", make(tmp_path, rows)).status_code == 302


def test_an_upload_over_the_byte_limit_is_refused(as_role, tmp_path, settings):
    settings.TRAPPEN_UPLOAD_MAX_BYTES = 40
    response = _upload(as_role("economist"), "budget", _budget_csv(tmp_path, [(1, 2025, 100), (2, 2025, 200)]))
    assert response.status_code == 422 and "budget.csv" in _errors(response)
    assert BudgetLine.objects.count() == 0


def test_rows_of_a_large_workbook_are_counted_across_read_chunks(tmp_path):
    """The streamed count sees every row even where a tag straddles two 64 KiB reads."""
    from trappen.economics import UploadLimits, check_table_file

    rows = [(1 + i % 6, 2000 + i, i) for i in range(5000)]
    path = _budget_xlsx(tmp_path, rows)
    big = UploadLimits(max_bytes=10**8, max_unpacked_bytes=10**9, max_rows=5000)
    check_table_file(path, limits=big, table="budget")
    with pytest.raises(InvalidInput, match="5000 rows"):
        check_table_file(path, limits=UploadLimits(max_bytes=10**8, max_unpacked_bytes=10**9, max_rows=4999),
                         table="budget")
