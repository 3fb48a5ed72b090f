"""KPI dashboards: every number from the KPI engine (:mod:`trappen.kpi`), shown as a chart, a
table and CSV/Excel downloads of the same table; small cells hidden for analysts."""
