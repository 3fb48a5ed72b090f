"""``/api/v1/national/...``: the national view's figures as JSON, for the same role and from the
same selectors as the pages (``national``/``view`` in the permission table, 403 otherwise).
Hidden cells are null."""

from __future__ import annotations

import math

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from trappen.errors import InvalidInput, Problem
from trappen.national import HEADLINE, comparison, national_did
from trappen.web.labels import label
from trappen.web.national import selectors as sel
from trappen.web.national.views import national_access

router = Router(tags=["national"])


class YearQuery(Schema):
    year: int | None = None


class EvaluationQuery(Schema):
    kpi: str = ""  # required, but checked after the grant: a role without it gets 403, not 422


def _year(data: sel.NationalData, year: int | None) -> int:
    if not data.years:
        raise Http404("the national store is empty")
    if year is None:
        return data.years[-1]
    if year not in data.years:
        raise Http404("no figures for this year")
    return year


def _finite(value: object) -> object:
    """NaN (no estimate) as null: JSON has no NaN."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _records(table: sel.Table) -> list[dict[str, object]]:
    keys = [k for k, _label in table.columns]
    return [dict(zip(keys, row, strict=True)) for row in table.rows]


@router.get("/municipalities")
def municipalities(request: HttpRequest, q: Query[YearQuery]) -> dict[str, object]:
    """Every municipality in ``year`` (default the latest), the country's staircase profile and the adoption years."""
    national_access(getattr(request, "auth", None))
    data = sel.national_data()
    year = _year(data, q.year)
    return {"year": year, "municipalities": _records(sel.overview_table(data, year=year)),
            "staircase": _records(sel.profile_table(data, year=year)),
            "adoption": _records(sel.adoption_table(data)), "statbank": _records(sel.statbank_table(data))}


@router.get("/municipalities/{code}")
def municipality(request: HttpRequest, code: str, q: Query[YearQuery]) -> dict[str, object]:
    """One municipality against its comparable municipalities and the country."""
    national_access(getattr(request, "auth", None))
    data = sel.national_data()
    if code not in sel.municipality_codes(data):
        raise Http404("no such municipality")
    year = _year(data, q.year)
    return {"year": year, "municipality_code": code, "name": sel.name(data, code),
            "adoption_year": data.adoption.get(code), "peers": data.peers.get(code, []),
            "comparison": [{**r, "label": label(str(r["kpi_code"]), "kpi")}
                           for r in comparison(data.cells, code=code, year=year, peers=data.peers.get(code, []))],
            "staircase": _records(sel.profile_table(data, year=year, code=code)),
            "trends": {k: _records(sel.trend_table(data, code=code, kpi=k)) for k in sel.TREND_KPIS}}


@router.get("/evaluation")
def evaluation(request: HttpRequest, q: Query[EvaluationQuery]) -> dict[str, object]:
    """Staggered DiD across municipalities on the stored adoption years (``kpi``: a headline KPI code)."""
    national_access(getattr(request, "auth", None), "create")
    if q.kpi not in HEADLINE:
        raise InvalidInput(Problem(field="kpi", value=q.kpi, message=f"one of {', '.join(HEADLINE)}"))
    data = sel.national_data()
    result, dropped = national_did(data.cells, adoption=data.adoption, kpi=q.kpi)
    overall = {k: _finite(v) for k, v in result.overall.row(0, named=True).items()} if result.overall.height else {}
    events = [{k: _finite(v) for k, v in r.items()} for r in result.event_study.to_dicts()]
    return {"kpi": q.kpi, "overall": overall, "event_study": events,
            "units": list(result.units), "left_out": dropped}
