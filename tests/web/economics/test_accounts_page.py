"""Accounts to steps: every line lands in one bucket of the versioned mapping, totals are
conserved, and an unmapped account fails the whole import naming the account."""

from __future__ import annotations

import openpyxl
import pytest

from trappen.web.economics.models import AccountLine

LINES = [  # account, function, amount_dkk, year
    ("1001", "5.28.20", 1_000_000, 2023),
    ("1002", "5.28.21", 250_000.5, 2023),
    ("1003", "5.28.23", 3_000_000, 2023),
    ("1004", "5.28.29", 40_000, 2023),   # the 5.28 catch-all: unattributed
    ("1005", "6.52.72", 500_000, 2023),
    ("2001", "5.28.20", 1_100_000, 2024),
    ("2002", "5.28.21", 300_000, 2024),
]


def _csv(tmp_path, lines, name="accounts.csv"):
    p = tmp_path / name
    p.write_text("account,function,amount_dkk,year\n" + "".join(",".join(map(str, r)) + "\n" for r in lines),
                 encoding="utf-8")
    return p


def _xlsx(tmp_path, lines, name="accounts.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["account", "function", "amount_dkk", "year"])
    for r in lines:
        sheet.append(list(r))
    p = tmp_path / name
    book.save(p)
    return p


def _upload(client, path):
    with path.open("rb") as f:
        return client.post("/economics/accounts/", {"file": f})


@pytest.mark.parametrize("make", [_csv, _xlsx])
def test_lines_per_bucket_and_totals_conserved(as_role, tmp_path, make):
    client = as_role("economist")
    assert _upload(client, make(tmp_path, LINES)).status_code == 302
    assert dict(AccountLine.objects.values_list("account", "bucket")) == {
        "1001": "step_5", "1002": "step_3", "1003": "step_6", "1004": "unattributed",
        "1005": "caseworkers", "2001": "step_5", "2002": "step_3"}
    page = client.get("/economics/accounts/")
    s = page.context["s"]
    assert s.years == [2023, 2024] and s.conserved
    assert s.line_totals == pytest.approx([4_790_000.5, 1_400_000])
    assert s.bucket_totals == pytest.approx(s.line_totals)
    rows = {r["bucket"]: r["amounts"] for r in s.rows}
    assert rows["step_5"] == pytest.approx([1_000_000, 1_100_000])
    assert rows["unattributed"] == pytest.approx([40_000, 0])
    assert rows["step_1"] == [0.0, 0.0]
    html = page.content.decode()
    assert 'id="mapping-example"' in html and 'id="accounts-conserved"' in html


def test_an_unmapped_account_fails_the_import_naming_it(as_role, tmp_path):
    client = as_role("economist")
    assert _upload(client, _csv(tmp_path, LINES[:2])).status_code == 302
    stored = sorted(AccountLine.objects.values_list("pk", flat=True))
    bad = [*LINES[:3], ("7777", "4.62.80", 12_345, 2023)]  # health: not in the mapping
    for path in (_csv(tmp_path, bad, "bad.csv"), _xlsx(tmp_path, bad, "bad.xlsx")):
        response = _upload(client, path)
        assert response.status_code == 422
        text = " ".join(response.context["form"].non_field_errors())
        assert "7777" in text and "4.62.80" in text and "række 4" in text
    assert sorted(AccountLine.objects.values_list("pk", flat=True)) == stored  # nothing partial


def test_a_year_outside_the_mapping_and_a_bad_amount_are_named(as_role, tmp_path):
    client = as_role("economist")
    response = _upload(client, _csv(tmp_path, [("1", "5.28.20", "1.000,50", 2023), ("2", "5.28.20", 5, 1990)]))
    assert response.status_code == 422  # the comma splits the amount: one field too many
    text = " ".join(response.context["form"].non_field_errors())
    assert "række 1" in text and "5 fields" in text and "4" in text
    response = _upload(client, _csv(tmp_path, [("1", "5.28.20", "lots", 2023)], "a.csv"))
    text = " ".join(response.context["form"].non_field_errors())
    assert response.status_code == 422 and "lots" in text and "række 1" in text and "amount_dkk" in text
    response = _upload(client, _csv(tmp_path, [("2", "5.28.20", 5, 1990)], "y.csv"))
    text = " ".join(response.context["form"].non_field_errors())
    assert response.status_code == 422 and "1990" in text
    assert AccountLine.objects.count() == 0


def test_only_economists_import_accounts(as_role, tmp_path):
    for role in ("analyst", "admin", "caseworker"):
        assert _upload(as_role(role), _csv(tmp_path, LINES)).status_code == 403
    assert AccountLine.objects.count() == 0
    assert as_role("economist").get("/economics/accounts/").context["s"].years == []
