"""The council report page (#18 item 4): kpi/export picks year, language and format; the report
comes back as HTML, PDF or Excel, is written to the access log, and a year without data is a form
error in the user's language, never a traceback."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from trappen.synthetic import generate

URL = "/reports/"


@pytest.fixture(scope="module")
def register_small():
    return generate(children=600, years=3, seed=7, end_date=date(2025, 6, 30))


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    cache_clear()
    yield register_small
    cache_clear()


def _client(make_user, role: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user(f"rep_{role}", role))
    return client


@pytest.mark.parametrize(("language", "words"), [
    ("da", ("Rapport til kommunalbestyrelsen", "År", "Rapportens sprog", "Dansk", "Excel")),
    ("en", ("Council report", "Year", "Language of the report", "Danish", "Excel"))])
def test_page_in_danish_and_english_with_labels(db_register, make_user, language, words):
    page = _client(make_user, "analyst", language).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    for word in words:
        assert word in text, word
    assert 'href="/reports/"' in text  # in the navigation


@pytest.mark.parametrize("role", ["caseworker", "partner", "admin"])
def test_only_kpi_export_may_make_it(db_register, make_user, role):
    assert _client(make_user, role, "en").get(URL).status_code == 403


@pytest.mark.parametrize(("language", "message"), [
    ("da", "Der er ingen registerdata for 1990"), ("en", "There are no register data for 1990")])
def test_a_year_without_data_is_a_form_error(db_register, make_user, language, message):
    from trappen.web.audit.models import AuditEvent

    page = _client(make_user, "economist", language).get(URL, {"year": "1990", "language": "en", "format": "pdf"})
    assert page.status_code == 422
    assert message in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert not AuditEvent.objects.filter(endpoint="council_report").exists()
    bad = _client(make_user, "analyst", language).get(URL, {"year": "2024", "language": "xx", "format": "exe"})
    assert bad.status_code == 422 and "xx" in bad.content.decode()


def test_excel_html_and_pdf_downloads_are_audited(db_register, make_user):
    from trappen.web.audit.models import AuditEvent

    client = _client(make_user, "teamleader", "da")
    xlsx = client.get(URL, {"year": "2024", "language": "da", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert 'filename="trappen-council-report-2024-da.xlsx"' in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"README", "Spending", "Caseload"} <= set(book.sheetnames)
    readme = "\n".join(str(c.value) for c in book["README"]["A"] if c.value)
    assert "økonomens datoafgrænsede priser" in readme
    html = client.get(URL, {"year": "2024", "language": "en", "format": "html"})
    assert html.status_code == 200 and "text/html" in html["Content-Type"]
    assert "Goals and status" in html.content.decode()
    csp = {d.strip() for d in html["Content-Security-Policy"].split(";")}  # in no fixed order
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self'" in csp, csp
    pdf = client.get(URL, {"year": "2024", "language": "en", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    events = list(AuditEvent.objects.filter(endpoint="council_report").order_by("id"))
    assert [e.purpose for e in events] == ["2024 da xlsx", "2024 en html", "2024 en pdf"]
    assert all(e.username == "rep_teamleader" and e.child_id is None for e in events)
