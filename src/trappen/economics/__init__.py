"""Economics: investment cases (NPV, payback, uncertainty), prices with history, spending.

Public API::

    from trappen.economics import (
        load_case, case_from_dict, case_to_toml, evaluate_case, simulate_case, tornado,      # investment case
        default_rates, RateTable, spending, caseworker_costs,                  # prices, spending
        default_price_index, load_price_index, convert_price_year,             # price years
        load_accounts, load_mapping, map_accounts, accounts_by_bucket,         # accounts
        load_budget, budget_vs_actual,                                         # budget
        UploadLimits, check_table_file,                                        # uploads' limits
        planned_vs_realised,                                                   # adopted cases
        compare_published, PUBLISHED_TOLERANCE_DKK,                            # Herning, published
    )

Everything here is pure (NumPy/Polars, pydantic at the file boundary); no Django.

Private modules: ``_case_model`` (the case's dataclasses and :func:`validate_case`), ``_case_io``
(TOML/dict reading with pydantic, writing with tomli-w), ``_evaluate`` (NPV, payback, the
decision rule), ``_forecast_bridge`` (a forecast's shift as a case), ``_uncertainty``,
``_prices``, ``_accounts``, ``_realised``, ``_excel``, ``_herning`` (the Herning pilot's published
figures next to the worked example's).
"""

from trappen.economics._accounts import (
    UNATTRIBUTED,
    AccountMapping,
    MappingVersion,
    UploadLimits,
    accounts_by_bucket,
    budget_vs_actual,
    check_table_file,
    example_mapping_path,
    load_accounts,
    load_budget,
    load_mapping,
    map_accounts,
)
from trappen.economics._case_io import case_from_dict, case_to_toml, load_case
from trappen.economics._case_model import (
    DEFAULT_DISCOUNT_SCHEDULE,
    DISCOUNT_SOURCE,
    PAYERS,
    CostItem,
    DecisionRule,
    Distribution,
    InvestmentCase,
    ShiftEffect,
    SomEffect,
    StepPrice,
    validate_case,
)
from trappen.economics._evaluate import CaseResult, discount_factors, evaluate_case
from trappen.economics._forecast_bridge import shift_case, shift_effect_from_frames
from trappen.economics._herning import PUBLISHED_TOLERANCE_DKK, compare_published
from trappen.economics._prices import (
    RATE_SCHEMA,
    SPENDING_KEYS,
    RateTable,
    caseworker_costs,
    convert_price_year,
    default_price_index,
    default_rates,
    load_price_index,
    spending,
)
from trappen.economics._realised import planned_vs_realised
from trappen.economics._uncertainty import TORNADO_QUANTILES, Simulation, simulate_case, tornado

__all__ = [
    "UNATTRIBUTED",
    "AccountMapping",
    "MappingVersion",
    "UploadLimits",
    "accounts_by_bucket",
    "budget_vs_actual",
    "check_table_file",
    "example_mapping_path",
    "load_accounts",
    "load_budget",
    "load_mapping",
    "map_accounts",
    "DEFAULT_DISCOUNT_SCHEDULE",
    "DISCOUNT_SOURCE",
    "PAYERS",
    "PUBLISHED_TOLERANCE_DKK",
    "RATE_SCHEMA",
    "SPENDING_KEYS",
    "TORNADO_QUANTILES",
    "CaseResult",
    "CostItem",
    "DecisionRule",
    "Distribution",
    "InvestmentCase",
    "RateTable",
    "ShiftEffect",
    "Simulation",
    "SomEffect",
    "StepPrice",
    "case_from_dict",
    "case_to_toml",
    "caseworker_costs",
    "compare_published",
    "convert_price_year",
    "default_price_index",
    "default_rates",
    "discount_factors",
    "evaluate_case",
    "herning_pilot_path",
    "load_case",
    "load_price_index",
    "planned_vs_realised",
    "shift_case",
    "shift_effect_from_frames",
    "simulate_case",
    "spending",
    "tornado",
    "validate_case",
]


def herning_pilot_path() -> str:
    """Path of the shipped Herning pilot example case (TOML)."""
    from importlib import resources

    return str(resources.files("trappen.economics") / "data" / "herning_pilot.toml")
