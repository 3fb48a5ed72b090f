"""The closing analysis as a council-paper annex (Excel): a summary, where the children would
go, the cost change per year and the capacity-limited forecast. Counts only, no child ids."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from trappen.web.offers.closing import ClosingAnalysis


def closing_workbook(analysis: ClosingAnalysis) -> bytes:
    result = analysis.result
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    summary.append([_("Closing analysis"), analysis.offer.name])
    for label, value in (
            (_("Day"), result.on.isoformat()),
            (_("Children in the offer"), result.children),
            (_("Another offer on the same step"), result.same_step),
            (_("A higher step"), result.step_up),
            (_("Waiting for a place"), result.waiting),
            (_("Cost change per year (DKK)"), round(result.cost_change_dkk_per_year)),
            (_("Places of the waiting children today, per year (DKK)"), round(result.waiting_dkk_per_year))):
        summary.append([label, value])
    moves = book.create_sheet(_("Destinations")[:31])
    moves.append([_("Offer"), _("Step"), _("Children"), _("Price (DKK per day)")])
    for d in analysis.destinations:
        moves.append([d.name or _("Waiting for a place"), d.step, d.children, d.dkk_per_day])
    years = book.create_sheet(_("Forecast")[:31])
    years.append([_("Year"), _("Cost with the offer (DKK)"), _("Cost without the offer (DKK)"), _("Difference (DKK)")])
    for year, a, b, diff in analysis.yearly_costs():
        years.append([year, round(a), round(b), round(diff)])
    years.append([])
    years.append([_("Step"), _("Children with the offer (end of forecast)"), _("Children without the offer")])
    for step, a, b in analysis.step_difference():
        years.append([step, round(a, 1), round(b, 1)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
