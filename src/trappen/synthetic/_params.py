"""Parameters of the synthetic municipality, each with its source or the reason for its value.

Rates are per month unless the name says otherwise. Values marked "calibrated" were tuned so
that :func:`trappen.synthetic.calibration_report` lands on the national figures in
``shared/reference/calibration.csv`` (Danmarks Statistik); they are not published rates.
"""

from __future__ import annotations

# ------------------------------------------------------------------------- national targets
NATIONAL_CHILDREN_0_17 = 1_150_000
"""Children 0-17 in Denmark (Danmarks Statistik FOLK1A, about 1.15 million in 2018-2019)."""

TARGET_PLACED_0_22 = 13_823  # Danmarks Statistik (Nyt), placed 0-22 on 31 Dec 2018
TARGET_PLACEMENTS_STARTED = 3_871  # Danmarks Statistik (Nyt), placements started in 2018
TARGET_FAMILY_CARE_SHARE = 0.63  # Danmarks Statistik (Nyt), share of placed in foster care 2018
TARGET_PREVENTIVE_0_22 = 40_800  # Danmarks Statistik (Nyt), children with a preventive measure 2017
TARGET_NOTIFICATIONS = 138_000  # Danmarks Statistik (Nyt), notifications received 2019
TARGET_NOTIFIED_CHILDREN = 79_000  # Danmarks Statistik (Nyt), children with >= 1 notification 2019

NATIONAL_CHILDREN_0_17_BY_YEAR = {
    2011: 1_213_000, 2015: 1_170_000, 2016: 1_166_000, 2017: 1_161_000, 2018: 1_157_000,
    2019: 1_153_000, 2021: 1_155_000, 2022: 1_160_000, 2023: 1_158_000, 2024: 1_150_000,
}
"""Children 0-17 in Denmark by year (Danmarks Statistik FOLK1A, 1 January, rounded to thousands;
approximate: values recalled, not re-read from the table, so treat them as +/- 1 %). Each national
figure is turned into a rate per 1,000 with the children of its own year; other years use the
nearest listed year (assumption)."""


def national_children(year: int) -> int:
    """Children 0-17 in Denmark in ``year`` (nearest listed year outside the table)."""
    return NATIONAL_CHILDREN_0_17_BY_YEAR[min(NATIONAL_CHILDREN_0_17_BY_YEAR,
                                              key=lambda y: (abs(y - year), y))]


# ------------------------------------------------------------------------- demography
BIRTHS_BY_YEAR = {
    1990: 63_400, 1991: 64_400, 1992: 67_700, 1993: 67_400, 1994: 69_700, 1995: 69_800,
    1996: 67_600, 1997: 67_600, 1998: 66_200, 1999: 66_200, 2000: 67_100, 2001: 65_500,
    2002: 64_100, 2003: 64_600, 2004: 64_600, 2005: 64_300, 2006: 65_000, 2007: 64_100,
    2008: 65_000, 2009: 62_800, 2010: 63_400, 2011: 59_000, 2012: 57_900, 2013: 55_900,
    2014: 56_900, 2015: 58_200, 2016: 61_600, 2017: 61_400, 2018: 61_500, 2019: 61_200,
    2020: 60_900, 2021: 63_500, 2022: 58_400, 2023: 57_500, 2024: 57_000,
}
"""Live births in Denmark by year (Danmarks Statistik, FOD / BEV3A, rounded to hundreds;
approximate: recalled, +/- 1 %). A municipality's births follow the national curve, scaled so
that about ``children`` children 0-17 live there at the end of the register (the birth cohorts
of the 18 years before). Years outside the table use the nearest listed year (assumption)."""


def births(year: int) -> int:
    """Live births in Denmark in ``year`` (nearest listed year outside the table)."""
    return BIRTHS_BY_YEAR[min(max(year, min(BIRTHS_BY_YEAR)), max(BIRTHS_BY_YEAR))]


DAYS_PER_YEAR = 365.25
BURN_IN_YEARS = 12
"""Years simulated before the register window so stocks (placements, measures, aftercare up to
23) are settled and the first reported year is in equilibrium (a placement lasts about 3.6
years, and a child placed young can be on the staircase from birth to 23); with 3 years the
placed stock still rose for the first four reported years. Only episodes and cases still open
in the window are kept from the burn-in."""

OUT_MIGRATION_PER_MONTH = 0.003
"""About 3.5 % of children move out of a municipality each year (Danmarks Statistik BEV22,
internal migration of 0-17-year-olds, rounded); in-migration balances it."""

SEX_RATIO_MALE = 0.513  # Danmarks Statistik: about 105 boys per 100 girls at birth

# ------------------------------------------------------------------------- calendar
# Calendar-time trends as data: multipliers on the calibrated rates by year (1.0 in the year the
# rate was calibrated to). notifications: the rate of notifications per child. preventive: the
# share of investigations ending in a home-based measure and of preliminary inquiries giving early
# help. placement: the share of investigations, acute cases and escalations from step 3 that end
# in a placement. The last two are conversions, so they are the published per-child trend divided
# by the notifications trend (more notifications, each less often leading to a measure).
CALENDAR_SOURCES = {
    "notifications": "Danmarks Statistik (Nyt): 138,000 notifications in 2019 and 152,700 in 2022, "
                     "119.7 -> 131.6 per 1,000 children 0-17, about +3.2 % a year per child; "
                     "the same growth 2011-2024 is an assumption outside 2019-2022 (1.0 in 2019)",
    "preventive": "Danmarks Statistik (Nyt): 38,391 (2015), 40,800 (2017), 43,800 (2021) 0-22-year-"
                  "olds with a preventive measure, 33.0 -> 35.1 -> 37.9 per 1,000 children, about "
                  "+2.3 % a year per child 2011-2021 (before 2015 an assumption), flat after 2021 "
                  "(assumption; 1.0 in 2017)",
    "placement": "Danmarks Statistik (Nyt): placements started 3,871 (2018) and about 3,400 (2023), "
                 "3.35 -> 2.94 per 1,000 children, about -2.5 % a year; placed 0-22 per 1,000 "
                 "children 12.3 (2011) -> 11.9 (2018) -> 12.1 (2024); flat before 2018 and after "
                 "2023 (assumption; 1.0 in 2018)",
}
CALENDAR_BY_YEAR = {  # year: (notifications, preventive, placement)
    2011: (0.777, 1.054, 1.247), 2012: (0.802, 1.045, 1.208), 2013: (0.828, 1.036, 1.171),
    2014: (0.854, 1.027, 1.134), 2015: (0.882, 1.018, 1.099), 2016: (0.910, 1.009, 1.065),
    2017: (0.939, 1.000, 1.032), 2018: (0.969, 0.991, 1.000), 2019: (1.000, 0.983, 0.945),
    2020: (1.032, 0.974, 0.893), 2021: (1.065, 0.966, 0.843), 2022: (1.099, 0.936, 0.797),
    2023: (1.134, 0.907, 0.753), 2024: (1.171, 0.879, 0.729),
}
"""Per child: notifications x1.032 a year 2011-2024 (1.0 in 2019); home-based measures x1.023 a
year 2011-2021 (1.0 in 2017), then flat; placements flat to 2018 (the placed stock per child was
nearly flat 2011-2018), x0.975 a year 2018-2023 (1.0 in 2018), then flat. The preventive and
placement columns are those per-child trends divided by the notifications trend. See
:data:`CALENDAR_SOURCES`. Before 2011 and after 2024 the rates stay at the nearest listed year
(assumption)."""

POLICY_CHANGES = (
    ("2024-01-01", "Barnets Lov (the Children's Act) in force", "preventive", 1.05,
     "assumption: the Act puts early and preventive help first (Barnets Lov § 1, § 32); no "
     "published effect yet, so +5 % early help from 1 January 2024 is a stated assumption"),
)
"""Dated policy changes: (first day, name, calendar column, multiplier from that day, source)."""


def calendar(year: int, month_day: str = "12-31") -> tuple[float, float, float]:
    """(notifications, preventive, placement) multipliers on ``year``-``month_day``."""
    first, last = min(CALENDAR_BY_YEAR), max(CALENDAR_BY_YEAR)
    row = list(CALENDAR_BY_YEAR[min(max(year, first), last)])
    day = f"{year:04d}-{month_day}"
    for since, _name, column, factor, _source in POLICY_CHANGES:
        if day >= since:
            row[("notifications", "preventive", "placement").index(column)] *= factor
    return row[0], row[1], row[2]


# ------------------------------------------------------------------------- risk and notifications
RISK_GAMMA_SHAPE = 0.075
"""Shape of the gamma-distributed family risk (mean 1). Chosen so that 79,000 of 1.15 million
children get >= 1 notification while 138,000 notifications arrive (Danmarks Statistik 2019):
for a gamma-Poisson mixture P(N >= 1) = 1 - (1 + mean/shape) ** -shape."""

NOTIFICATION_BASE_PER_MONTH = 0.0092  # calibrated: 138,000 notifications / 1.15 M children a year
NOTIFICATION_MAX_PER_MONTH = 0.6  # at most one notification a month per child in the model
NOTIFICATION_STEP_FACTOR = (1.0, 1.4, 1.4, 1.4, 0.5, 0.5, 0.5)
"""Notification rate multiplier by current step 0..6: children in contact with services are
noticed more; placed children less (calibrated)."""

OUTCOME_PROBS_OFF_STAIRCASE = (0.57, 0.25, 0.165, 0.015)
"""no_action, preliminary_inquiry, investigation, immediate_measure for a child with no measure
(estimate: about half of notifications lead to no action, Ankestyrelsen's
underretningsundersøgelse; calibrated)."""
OUTCOME_PROBS_ON_STAIRCASE = (0.73, 0.12, 0.14, 0.01)

P_EARLY_HELP_AFTER_INQUIRY = 0.50  # calibrated: share of preliminary inquiries giving step 1-2 help
APPLICATION_PER_MONTH = 0.0014  # calibrated: parents applying for help, times risk
P_IN_MOVER_WITH_CASE = 0.01  # estimate: children moving in with an ongoing measure (step 3)

# investigation conclusion: step of the resulting measure (0 = none), by age group <12, >=12
INVESTIGATION_TARGET_STEP_PROBS = {
    "young": (0.12, 0.0, 0.10, 0.692, 0.026, 0.036, 0.026),
    "teen": (0.12, 0.0, 0.10, 0.681, 0.012, 0.026, 0.061),
}
"""Calibrated so about 63 % of placed children are in family care (Danmarks Statistik 2018)."""

IMMEDIATE_PLACEMENT_STEP_PROBS = {"young": (0.25, 0.50, 0.25), "teen": (0.10, 0.30, 0.60)}
"""Acute placement: steps 4, 5, 6 by age group (estimate; teenagers mostly in residential care)."""

# ------------------------------------------------------------------------- staircase dynamics
# monthly hazards by step 1..6: ending (goal reached / planned), moving up, moving down.
# Durations follow: step 1 about 6 months, step 3 about 1.5 years, placements 3-4 years, in
# line with 13,823 placed / 3,871 started a year = 3.6 years (Danmarks Statistik 2018).
END_PER_MONTH = (0.0, 0.16, 0.11, 0.013, 0.0135, 0.0135, 0.018)
"""Ending hazards (placements raised about 12 % when continued stays past 18 were added, so that
placed 0-22 including 18-22 still lands on 13,823 in 2018; calibrated)."""
UP_PER_MONTH = (0.0, 0.010, 0.015, 0.0016, 0.003, 0.003, 0.0)
DOWN_PER_MONTH = (0.0, 0.0, 0.010, 0.010, 0.006, 0.005, 0.010)
BREAKDOWN_PER_MONTH = (0.0, 0.0, 0.0, 0.0, 0.002, 0.003, 0.005)
BREAKDOWN_TEEN_FOSTER_PER_MONTH = 0.012
"""Foster placements of teenagers (13+) break down far more often (SFI/VIVE studies of
sammenbrud: about a third of teenage placements break down; estimate per month)."""
TEEN_AGE = 13

P_CONTINUED_STAY = 0.80
"""Share of young people placed at 18 who stay on in their placement as aftercare (videreført
ophold, Barnets Lov § 114 stk. 1 nr. 1, formerly SEL § 76 stk. 3). Calibrated with
:data:`CONTINUED_STAY_END_PER_MONTH` so that about 2,121 young people 18-22 are in a continued
stay (Danmarks Statistik (Nyt), 2016: 1.8 per 1,000 children 0-17); they count as placed 0-22,
as in the national figures."""
CONTINUED_STAY_END_PER_MONTH = 0.02  # calibrated (with P_CONTINUED_STAY); ends by 23 at the latest
P_AFTERCARE_AFTER_PLACEMENT = 0.45  # estimate: about half of placed young people get ungestøtte
P_AFTERCARE_AFTER_MEASURE = 0.10  # estimate: some home-based measures continue as aftercare
AFTERCARE_END_PER_MONTH = 0.035  # estimate: aftercare lasts about 2 years on average

# initial stocks at the start of the burn-in, shares of children 0-17 (then settled by burn-in)
INITIAL_STEP_SHARES = (0.0, 0.008, 0.010, 0.030, 0.0025, 0.0045, 0.0040)

# intervention choice within a step: weights by code (unknown codes weigh 1)
CODE_WEIGHTS = {
    "FOSTER_GENERAL": 6.0, "FOSTER_REINFORCED": 2.5, "FOSTER_SPECIALISED": 1.5,
    "RESIDENTIAL_INSTITUTION": 3.5, "OPHOLDSSTED": 3.5, "SECURE_INSTITUTION": 0.3,
    "OWN_ROOM": 1.2, "BOARDING_SCHOOL": 1.5,
    "FAMILY_TREATMENT": 4.0, "HOME_SUPPORT": 2.0, "CONTACT_PERSON": 3.0,
    "FAMILY_COUNSELLING": 3.0,
}
"""Estimate: Danmarks Statistik splits placed children 8,703 foster / 2,366 institutions /
1,921 opholdssteder (2018); residential codes are weighted accordingly."""

# ------------------------------------------------------------------------- pilot (Herning model)
HERNING_CASELOAD = 25  # seed documents: 50 -> 25 children per caseworker in the pilot
NORMAL_CASELOAD = 50  # seed documents: about 50 children per caseworker before the pilot
# Built-in effect sizes of the pilot, tuned so that placements in the pilot districts fall by
# about 15 % (Herning: placements -15 % in 2013-2015, seed documents), with earlier help at
# lower steps and a younger age at case opening (Herning: 9.5 -> 8 years, herning.dk).
PILOT_UP_FACTOR = 0.60  # fewer escalations: closer follow-up catches problems earlier
PILOT_DOWN_FACTOR = 1.40  # more moves down the staircase
PILOT_PLACEMENT_FACTOR = 0.75  # investigations and acute cases end in placement less often
PILOT_EARLY_HELP_FACTOR = 1.50  # more preliminary inquiries give help at steps 1-2
PILOT_YOUNG_NOTIFICATION_FACTOR = 1.40  # more notifications of children under 6 (early detection)
PILOT_YOUNG_AGE = 6

# ------------------------------------------------------------------------- casework timing
P_ASSESSED_WITHIN_24H = 0.92  # estimate: most notifications are assessed in time (§ 136)
P_INVESTIGATION_WITHIN_4_MONTHS = 0.88  # estimate: Ankestyrelsen finds most concluded in time
FOLLOW_UP_EVERY_DAYS = 91  # Herning practice: follow-up every 3 months (deadlines.csv D11)
SUPERVISION_EVERY_DAYS = 182  # § 156 stk. 5: at least 2 visits a year (deadlines.csv D12)
P_PLAN_LATE = 0.06  # estimate: share of plans made later than 3 months (D8/D9)
P_COMPLAINT_PER_MEASURE = 0.03  # estimate: complaints per decided measure
P_MUNICIPALITY_UPHOLDS = 0.80  # estimate
APPEALS_OUTCOME_PROBS = (0.65, 0.12, 0.15, 0.08)  # upheld, changed, remitted, dismissed (estimate)
