"""The investment case page and its downloads speak the user's language: the chart's decision-rule
markers are translated, the tornado's money inputs are whole kroner (rates keep their decimals),
and the workbook (a real .xlsx, read with openpyxl) and the PDF annex name the uncertain inputs
as the page does (``input_label``), never by key paths such as ``effect.success_rate_with``."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.web.investments.test_investments import GOLDEN_TOML

# the golden case with a non-round money input and a rate carrying distributions
CASE_TOML = (GOLDEN_TOML
             .replace("municipality = 60000",
                      'municipality = { dist = "triangular", low = 50000.5, mode = 60000, high = 71234.5 }')
             .replace("success_rate_with = 0.5",
                      'success_rate_with = { dist = "triangular", low = 0.4, mode = 0.5, high = 0.6 }'))
COST = {"da": "Udgift pr. årsværk pr. år (kr.)", "en": "Cost per FTE per year (DKK)"}
KEYS = ("costs.caseworker.dkk_per_fte_per_year", "prices.6.municipality", "effect.success_rate_with")
LABELS = {"da": ("Succesrate med investeringen", "Trin 6: pris pr. barneår (kr., kommunen)"),
          "en": ("Success rate with the investment", "Step 6: price per child-year (DKK, municipality)")}


@pytest.fixture
def case(db, make_user):
    from trappen.web.investments.services import case_save

    return case_save(user=make_user("i_economist", "economist"), toml_text=CASE_TOML)


def _client(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _tornado(html: str) -> dict[str, list[str]]:
    """The tornado table's cells by the row's input label."""
    table = re.search(r'<table[^>]*id="investment-tornado".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize(("language", "marks", "english"), [("da", ("tjent hjem", "overskud"), True),
                                                            ("en", ("earn back", "surplus"), False)])
def test_chart_markers_are_in_the_pages_language(case, language, marks, english):
    page = _client(case.created_by, language).get(f"/investments/{case.pk}/")
    assert page.status_code == 200
    chart = re.search(r'<div id="investment-chart">(.*?)</div>', page.content.decode(), re.S).group(1)
    texts = re.findall(r'fill="#b35900">([^<]*)</text>', chart)
    assert texts == list(marks)
    axis = re.findall(r">(-?[\d.,]+) mio</text>", chart)
    assert axis and all(re.fullmatch(r"-?\d+" + ("," if language == "da" else r"\.") + r"\d", a) for a in axis), axis
    if english:
        assert "earn back" not in chart and "surplus" not in chart


@pytest.mark.parametrize("language", ["da", "en"])
def test_tornado_money_in_whole_kroner_rates_with_decimals(case, language):
    html = _client(case.created_by, language).get(f"/investments/{case.pk}/").content.decode()
    rows = _tornado(html)
    rate, price = LABELS[language]
    sep, dec = (".", ",") if language == "da" else (",", ".")
    money = re.compile(rf"^\d{{1,3}}(\{sep}\d{{3}})*$")  # 54.608 (da) / 54,608 (en): no decimals
    for cell in rows[price][:2] + rows["caseworker: " + COST[language]][:2]:
        assert money.match(cell), (price, cell)
    for cell in rows[rate][:2]:
        assert re.match(rf"^0\{dec}\d{{3}}$", cell), (rate, cell)


def _workbook_text(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return {str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None}


@pytest.mark.parametrize("language", ["da", "en"])
def test_workbook_names_the_uncertain_inputs_as_the_page_does(case, language):
    response = _client(case.created_by, language).get(f"/investments/{case.pk}/workbook.xlsx")
    assert response.status_code == 200
    cells = _workbook_text(response.content)
    raw = sorted(c for c in cells for key in KEYS if key in c)
    assert raw == [], raw
    rate, price = LABELS[language]
    assert rate in cells and price in cells
    sheet = load_workbook(io.BytesIO(response.content))["Uncertainty"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r[0] in ("Input",))
    assert header[2:4] == (("Lav", "Høj") if language == "da" else ("Low", "High"))


@pytest.mark.parametrize("language", ["da", "en"])
def test_pdf_annex_names_the_inputs_and_translates_the_chart(case, language):
    response = _client(case.created_by, language).get(f"/investments/{case.pk}/summary.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # what WeasyPrint was given: the annex's context in this request
    ctx = response.context
    rows = {str(r["input"]) for r in ctx["tornado"]}
    assert set(LABELS[language]) <= rows and not rows & set(KEYS)
    svg = base64.b64decode(ctx["svg_data_uri"].split(",", 1)[1]).decode()
    assert ("tjent hjem" in svg) == (language == "da") and ("earn back" in svg) == (language == "en")
