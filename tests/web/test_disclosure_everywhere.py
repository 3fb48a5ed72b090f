"""One disclosure rule everywhere (issue 15, item 8): the same small cell (2 children on step 3
in district N) is hidden from an analyst on the overview, on the steps dashboard and in both of
its downloads, and shown to the caseworker of district N on the pages they have."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from trappen.web.disclosure import SUPPRESSION_MARK


@pytest.fixture
def small_cell(db, districts, make_user, make_child):
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.register.models import Episode

    start = dt.date(2024, 1, 1)
    for district, on_step_3 in (("N", 2), ("S", 8)):
        for i in range(on_step_3 + 10):
            child = make_child(district, birth_date=dt.date(2014, 1, 1))
            step = 3 if i < on_step_3 else 1
            Episode.objects.create(child=child, intervention_code="CONTACT_PERSON" if step == 3 else "DAYCARE_SUPPORT",
                                   step=step, start_date=start)
    cache_clear()
    yield {"analyst": make_user("a", "analyst"), "caseworker": make_user("c", "caseworker", ["N"])}
    cache_clear()


def _row(body: str, name: str) -> list[str]:
    """The cells of the overview table's row headed ``name``."""
    import re

    row = re.search(rf'<tr><th scope="row">{name}</th>(.*?)</tr>', body)
    assert row, name
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def _dashboard(client, **extra):
    today = timezone.localdate()
    query = {"district": "N", "date_from": (today - dt.timedelta(days=70)).isoformat(),
             "date_to": today.isoformat(), **extra}
    return client.get("/dashboards/steps/", query)


@pytest.mark.parametrize(("role", "hidden"), [("analyst", True), ("caseworker", False)])
def test_the_same_small_cell_on_overview_dashboard_and_downloads(client, small_cell, role, hidden):
    client.force_login(small_cell[role])
    shown = SUPPRESSION_MARK if hidden else "2"

    cells = _row(client.get("/overview/").content.decode(), "Nord")
    assert cells[2] == shown  # step 3 in Nord
    assert cells[-1] == "12"  # the district's total is published either way

    frame = _dashboard(client).context["table"].frame
    values = frame["step_3"].to_list()
    assert values and all((v is None) if hidden else (v == 2) for v in values), values

    if not hidden:
        return  # the case-working staff have no export grant: no download to compare
    rows = list(csv.reader(io.StringIO(_dashboard(client, format="csv").content.decode())))
    column = next(i for i, h in enumerate(rows[0]) if h == "step_3" or h.startswith("3."))
    values = [r[column] for r in rows[1:]]
    assert values and all(v in (("", SUPPRESSION_MARK) if hidden else ("2",)) for v in values), values

    sheet = load_workbook(io.BytesIO(_dashboard(client, format="xlsx").content)).active
    header = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(header) if str(h).startswith("3."))
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if isinstance(row[0], dt.datetime)]
    assert values and all(v in (None, SUPPRESSION_MARK, "") for v in values), values
