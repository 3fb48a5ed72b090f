"""Labels, never codes, in the downloads (#15 item 6): every dashboard's CSV and Excel file and
the forecast's, in Danish and English, heads its columns with labels (not the frame's keys such
as ``step_3`` or ``from_step``), and a cell holding a code (a forecast state, an intervention,
an end reason, ...) has its name beside it in the same row.

The codes come from the core's own lists, as in ``test_labels_on_pages``."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from tests.web.test_labels_on_pages import _raw_codes

from trappen.register.schema import ASSESSMENT_OUTCOMES, NOTIFIER_KINDS
from trappen.staircase import CATEGORIES, END_REASONS, default_catalogue, default_staircase
from trappen.synthetic import generate

PERIOD = {"date_from": "2024-01-01", "date_to": "2024-12-31"}
FORECAST = "months=12&closed_steps=6"
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")  # a key such as step_3, from_step, spending_dkk


@pytest.fixture(scope="module")
def register_small():
    return generate(children=600, years=4, seed=2, pilot_districts=2, pilot_from=2023)


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear as dash_clear
    from trappen.web.forecasts.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    dash_clear()
    cache_clear()
    yield register_small
    dash_clear()
    cache_clear()


def _codes() -> dict[str, str]:
    """``{code: kind}`` of every code a cell must not show without its name, from the core's
    own lists (the forecast's states, the catalogue, the register schema)."""
    states = ("not_on_staircase", *(f"step_{n}" for n in default_staircase().numbers),
              "left_municipality", "aftercare", "ended")
    lists = {"state": states, "intervention": default_catalogue().codes, "end_reason": END_REASONS,
             "outcome": ASSESSMENT_OUTCOMES, "notifier": NOTIFIER_KINDS, "category": CATEGORIES}
    return {c: kind for kind, codes in lists.items() for c in codes if c in _raw_codes() or SNAKE.match(c)}


def _problems(rows: list[list[object]], *, keys: list[str], language: str) -> list[str]:
    """What a user must not read: a header that is a key or a code; a code cell whose row does
    not also hold its label."""
    from trappen.web import labels

    header, body = [str(h) for h in rows[0]], rows[1:]
    problems = [f"header {h!r} is the key {k!r}" for h, k in zip(header, keys, strict=True) if h == k]
    problems += [f"header {h!r} is a code" for h in header if SNAKE.match(h) or h in _raw_codes()]
    codes = _codes()
    with translation.override(language):
        for row in body:
            cells = {str(v) for v in row if v is not None}
            for cell in cells & set(codes):
                name = labels.label(cell, codes[cell])
                if name == cell or name not in cells:
                    problems.append(f"code {cell!r} without its name {name!r} in {row}")
    return problems


def _csv_rows(content: bytes) -> list[list[object]]:
    return [list(r) for r in csv.reader(io.StringIO(content.decode()))]


def _xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [r for r in rows if any(v is not None for v in r) and len([v for v in r if v is not None]) > 1]


@pytest.mark.parametrize("language", ["da", "en"])
def test_dashboard_downloads_show_labels(db_register, make_user, language):
    from trappen.web.dashboards.selectors import DASHBOARDS

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user("u_analyst", "analyst"))
    problems = []
    for key in DASHBOARDS:
        url = f"/dashboards/{key}/"
        keys = _csv_rows(client.get(url, {**PERIOD, "format": "csv", "header": "keys"}).content)[0]
        for fmt, read in (("csv", _csv_rows), ("xlsx", _xlsx_rows)):
            response = client.get(url, {**PERIOD, "format": fmt})
            assert response.status_code == 200
            rows = read(response.content)
            assert len(rows) > 1, f"{key}.{fmt} has no rows"
            problems += [f"{key}.{fmt} ({language}): {p}" for p in _problems(rows, keys=keys, language=language)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", ["da", "en"])
def test_forecast_downloads_show_labels(db_register, make_user, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user("u_analyst", "analyst"))
    keys = _csv_rows(client.get(f"/forecasts/forecast.csv?{FORECAST}&header=keys").content)[0]
    problems = []
    for fmt, read in (("csv", _csv_rows), ("xlsx", _xlsx_rows)):
        response = client.get(f"/forecasts/forecast.{fmt}?{FORECAST}")
        assert response.status_code == 200
        rows = read(response.content)
        assert len(rows) > 1
        problems += [f"forecast.{fmt} ({language}): {p}" for p in _problems(rows, keys=keys, language=language)]
    assert problems == [], "\n".join(problems)
    with translation.override(language):
        from trappen.web import labels

        assert labels.label("step_3", "state") in {str(v) for r in rows for v in r}
        # the about sheet: each lever's key beside its name; closed steps by name
        book = load_workbook(io.BytesIO(client.get(f"/forecasts/forecast.xlsx?{FORECAST}").content))
        about = {row[0]: row[2] for row in book["about"].iter_rows(values_only=True)}
        assert all(name and name != key and not SNAKE.match(name) for key, name in about.items()), about
        assert labels.label("6", "step") in about["closed_steps"]


@pytest.mark.parametrize("language", ["da", "en"])
def test_investment_annex_names_the_steps(make_user, language):
    """The PDF annex (rendered from this HTML) names each priced step, not only its number."""
    from django.template.loader import render_to_string
    from tests.web.investments.test_investments import GOLDEN_TOML

    from trappen.labels import step_name
    from trappen.web.investments.services import case_save
    from trappen.web.investments.views import _context

    case = case_save(user=make_user("u_analyst", "analyst"), toml_text=GOLDEN_TOML)
    with translation.override(language):
        ctx = _context(case)
        html = render_to_string("investments/annex.html", ctx)
    steps = [p.step for p in ctx["r"].case.prices]
    assert steps
    assert all(step_name(s, language=language) in html for s in steps), steps
