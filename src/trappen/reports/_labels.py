"""Danish and English labels of the annual report. Legal terms as Barnets Lov names them."""

from __future__ import annotations

LANGUAGES = ("da", "en")

LABELS: dict[str, dict[str, str]] = {
    "da": {
        "title": "Mål og resultater {year}",
        "subtitle": "Årsrapport til kommunalbestyrelsen om børn og unge på indsatstrappen",
        "summary": "Sammenfatning",
        "indicators": "Socialstyrelsens indikatorer for indsatstrappen",
        "steps": "Børn på trappens trin pr. 31. december",
        "steps_district": "Børn pr. 1.000 børn 0-17 år, efter skoledistrikt",
        "steps_district_counts": "Antal børn efter skoledistrikt og trin",
        "trend": "Udvikling over fem år",
        "flows": "Bevægelser op og ned ad trappen",
        "placements": "Anbringelser",
        "breakdowns": "Sammenbrud i anbringelser",
        "cases": "Nye sager og alder ved sagsåbning",
        "caseload": "Sagstal",
        "deadlines": "Overholdelse af lovens frister",
        "spending": "Udgifter pr. trin",
        "goals": "Mål og status",
        "method": "Metode",
        "kpi": "Nøgletal", "kpi_code": "KPI-kode", "value": "Værdi", "unit": "Enhed", "previous": "Året før",
        "step": "Trin", "district": "Skoledistrikt", "year": "År", "children": "Antal børn",
        "per_1000": "Pr. 1.000 børn 0-17 år", "from_step": "Fra trin", "to_step": "Til trin",
        "moves": "Bevægelser i året", "moves_per_month": "Pr. måned",
        "placement_type": "Anbringelsestype", "share_pct": "Andel (%)", "age_band": "Aldersgruppe",
        "breakdowns_n": "Sammenbrud", "placement_years": "Anbringelsesår",
        "rate": "Pr. anbringelsesår", "duty": "Pligt", "on_time": "Overholdt", "missed": "Overskredet",
        "compliance_pct": "Overholdt (%)", "spend_dkk": "Udgift (kr.)", "spend_per_child": "Kr. pr. barn",
        "goal": "Mål", "baseline": "Udgangspunkt", "target": "Målværdi", "latest": "Seneste",
        "progress_pct": "Fremdrift (%)", "status": "Status", "whole": "Hele kommunen",
        "on_track": "På vej", "off_track": "Ikke på vej", "met": "Nået",
        "none": "Ingen", "not_on_staircase": "Ikke på trappen",
        "no_goals": "Kommunen har ikke registreret mål for året.",
        "no_deadlines": "Fristopgørelsen er ikke tilgængelig i denne installation.",
        "footnote_suppressed": ("<5: færre end 5 børn, skjult af hensyn til diskretion. –: skjult, så et "
                                "skjult tal ikke kan regnes ud fra totaler (sekundær diskretionering)."),
        "trend_chart": "Børn pr. 1.000 børn 0-17 år på hvert trin, 31. december",
        "spend_chart": "Udgifter pr. trin (mio. kr.)",
        "family": "Familiepleje (slægt, netværk og plejefamilie)",
        "residential": "Anbringelse på institution",
        "placed": "Anbragte i alt",
        "method_source": ("Datakilde: kommunens analytiske register (pseudonymiserede sagsdata: børn, "
                          "indsatser, underretninger, børnefaglige undersøgelser, opfølgninger, klager "
                          "og sagsbehandlere) samt befolkningstal pr. 31. december."),
        "method_definitions": ("Et barns trin på en dag er det højeste trin blandt barnets aktive indsatser. "
                               "Bestandstal opgøres 31. december; strømme (nye sager, bevægelser, udgifter, "
                               "sammenbrud) over kalenderåret. Alle tal beregnes af samme KPI-funktion som "
                               "dashboards, API og kommandolinje; definitionerne står i KPI-kataloget."),
        "method_disclosure": ("Diskretionering: celler med 1-4 børn skjules (<5), og yderligere celler "
                              "skjules (–), så intet skjult tal kan regnes ud fra række- og kolonnetotaler. "
                              "Andele og rater, hvis tæller eller nævner er 1-4 børn, skjules også."),
        "method_internal": "Intern udgave: tallene er ikke diskretioneret og må ikke offentliggøres.",
        "method_prices": "Udgifter er enhedspriser gange dage fra indsatskataloget, i {price_year}-priser.",
        "method_rates": "Udgifter er dage gange økonomens datoafgrænsede priser (de samme som på "
        "dashboardene; katalogets pris for en indsats uden egen pris), i {price_year}-priser.",
        "goal_hidden": "Skjult (1-4 børn)", "goal_no_data": "Ingen observation",
        "goals_asof": "Målenes status pr. {date} med samme beregning som siden Mål.",
        "generated": "Dannet",
        "target_date": "Måldato",
        "summary_text": ("Pr. 31. december {year} var {placed} børn og unge anbragt, heraf {family} % i "
                         "familiepleje (slægt, netværk eller plejefamilie). I løbet af året blev der åbnet "
                         "{new_cases} nye sager; gennemsnitsalderen ved sagsåbning var {age} år."),
        "summary_goals": "Af kommunens {n} mål er {met} nået, {on} på vej og {off} ikke på vej.",
    },
    "en": {
        "title": "Goals and results {year}",
        "subtitle": "Annual report to the municipal council on children and young people on the intervention staircase",
        "summary": "Summary",
        "indicators": "Socialstyrelsen's indicators for the intervention staircase",
        "steps": "Children on each step on 31 December",
        "steps_district": "Children per 1,000 children aged 0-17, by school district",
        "steps_district_counts": "Number of children by school district and step",
        "trend": "Trend over five years",
        "flows": "Moves up and down the staircase",
        "placements": "Placements (anbringelser)",
        "breakdowns": "Placement breakdowns",
        "cases": "New cases and age at case opening",
        "caseload": "Caseload",
        "deadlines": "Compliance with statutory deadlines",
        "spending": "Spending per step",
        "goals": "Goals and status",
        "method": "Method",
        "kpi": "Indicator", "kpi_code": "KPI code", "value": "Value", "unit": "Unit", "previous": "Previous year",
        "step": "Step", "district": "School district", "year": "Year", "children": "Children",
        "per_1000": "Per 1,000 children 0-17", "from_step": "From step", "to_step": "To step",
        "moves": "Moves in the year", "moves_per_month": "Per month",
        "placement_type": "Placement type", "share_pct": "Share (%)", "age_band": "Age band",
        "breakdowns_n": "Breakdowns", "placement_years": "Placement-years",
        "rate": "Per placement-year", "duty": "Duty", "on_time": "On time", "missed": "Missed",
        "compliance_pct": "On time (%)", "spend_dkk": "Spending (DKK)", "spend_per_child": "DKK per child",
        "goal": "Goal", "baseline": "Baseline", "target": "Target", "latest": "Latest",
        "progress_pct": "Progress (%)", "status": "Status", "whole": "Whole municipality",
        "on_track": "On track", "off_track": "Off track", "met": "Met",
        "none": "None", "not_on_staircase": "Not on the staircase",
        "no_goals": "The municipality has recorded no goals for the year.",
        "no_deadlines": "Deadline compliance is not available in this installation.",
        "footnote_suppressed": ("<5: fewer than 5 children, hidden for confidentiality. –: hidden so that "
                                "a hidden figure cannot be worked out from totals (secondary suppression)."),
        "trend_chart": "Children per 1,000 children aged 0-17 on each step, 31 December",
        "spend_chart": "Spending per step (DKK million)",
        "family": "Family care (kinship, network and foster family)",
        "residential": "Residential care",
        "placed": "All placed children",
        "method_source": ("Data source: the municipality's analytic register (pseudonymous case data: "
                          "children, interventions, notifications (underretninger), child investigations "
                          "(børnefaglige undersøgelser), follow-ups, complaints and caseworkers) and the "
                          "population on 31 December."),
        "method_definitions": ("A child's step on a day is the highest step among its active interventions. "
                               "Stocks are counted on 31 December; flows (new cases, moves, spending, "
                               "breakdowns) over the calendar year. Every figure is computed by the same KPI "
                               "function as the dashboards, the API and the command line; the definitions "
                               "are in the KPI catalogue."),
        "method_disclosure": ("Disclosure control: cells with 1-4 children are hidden (<5), and further cells "
                              "are hidden (–) so that no hidden figure can be worked out from row and column "
                              "totals. Shares and rates whose numerator or denominator is 1-4 children are "
                              "hidden too."),
        "method_internal": "Internal edition: figures are not suppressed and must not be published.",
        "method_prices": "Spending is unit prices times days from the intervention catalogue, in {price_year} prices.",
        "method_rates": "Spending is days times the economist's date-ranged prices (the same as on the "
        "dashboards; the catalogue's price for a type without one), in {price_year} prices.",
        "goal_hidden": "Hidden (1-4 children)", "goal_no_data": "No observation",
        "goals_asof": "The goals' status on {date}, computed as on the Goals page.",
        "generated": "Generated",
        "target_date": "Target date",
        "summary_text": ("On 31 December {year}, {placed} children and young people were placed "
                         "(anbragt), {family} % of them in family care (kinship, network or foster family). "
                         "During the year {new_cases} new cases were opened; the mean age at case opening "
                         "was {age} years."),
        "summary_goals": "Of the municipality's {n} goals, {met} are met, {on} on track and {off} off track.",
    },
}


def label(language: str, key: str) -> str:
    """The label ``key`` in ``language`` (``"da"`` or ``"en"``)."""
    return LABELS[language][key]
