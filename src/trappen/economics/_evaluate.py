"""Evaluating an investment case: discounting, NPV, payback and the council's decision rule.

All draws at once: :func:`_evaluate_batch` takes optional overrides per uncertain path as arrays
over draws, so the deterministic result, Monte Carlo and the tornado share one function.
Timing convention: see :mod:`trappen.economics._case_model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.economics._case_model import PAYERS, DecisionRule, InvestmentCase, ShiftEffect, SomEffect


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """The outputs of :func:`evaluate_case`. Arrays have shape (horizon,) unless stated.

    ``cost_by_payer`` / ``benefit_by_payer`` / ``net_by_payer`` have shape (3, horizon) in the
    order of :data:`PAYERS`; benefits are savings (positive = money saved).
    """

    case: InvestmentCase
    years: NDArray[np.int64]
    calendar_years: NDArray[np.int64]
    discount_factor: NDArray[np.float64]
    cost_by_payer: NDArray[np.float64]
    benefit_by_payer: NDArray[np.float64]
    net_by_payer: NDArray[np.float64]
    net: NDArray[np.float64]
    net_discounted: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    cumulative_discounted: NDArray[np.float64]
    npv_dkk: float
    npv_by_payer: dict[str, float]
    pv_cost_dkk: float
    pv_benefit_dkk: float
    benefit_cost_ratio: float | None
    payback_year: int | None
    payback_year_undiscounted: int | None
    break_even_effect: float | None
    break_even_success_rate_with: float | None
    rule_met: bool | None
    rule_parts: dict[str, bool]
    child_years_by_step: dict[int, NDArray[np.float64]]

    def yearly(self) -> pl.DataFrame:
        """One row per year: cost, saving and net by payer, totals, factor, cumulative."""
        cols: dict[str, object] = {"year": self.years, "calendar_year": self.calendar_years}
        for i, p in enumerate(PAYERS):
            cols[f"cost_{p}_dkk"] = self.cost_by_payer[i]
            cols[f"saving_{p}_dkk"] = self.benefit_by_payer[i]
            cols[f"net_{p}_dkk"] = self.net_by_payer[i]
        cols["cost_dkk"] = self.cost_by_payer.sum(axis=0)
        cols["saving_dkk"] = self.benefit_by_payer.sum(axis=0)
        cols["net_dkk"] = self.net
        cols["discount_factor"] = self.discount_factor
        cols["net_discounted_dkk"] = self.net_discounted
        cols["cumulative_dkk"] = self.cumulative
        cols["cumulative_discounted_dkk"] = self.cumulative_discounted
        return pl.DataFrame(cols)

    def who_pays_who_saves(self) -> pl.DataFrame:
        """Present values by payer: cost, saving, net, and return (net / cost) where cost > 0."""
        f = self.discount_factor
        pv_cost = self.cost_by_payer @ f
        pv_benefit = self.benefit_by_payer @ f
        ret = [float((b - c) / c) if c > 0 else None for b, c in zip(pv_benefit, pv_cost, strict=True)]
        return pl.DataFrame(
            {
                "payer": list(PAYERS),
                "pv_cost_dkk": pv_cost,
                "pv_saving_dkk": pv_benefit,
                "npv_dkk": pv_benefit - pv_cost,
                "return_per_dkk": pl.Series(ret, dtype=pl.Float64),
            }
        )

    def summary(self) -> dict[str, object]:
        """Headline figures as plain Python values (for JSON)."""
        return {
            "name": self.case.name,
            "price_year": self.case.price_year,
            "start_year": self.case.start_year,
            "horizon_years": self.case.horizon_years,
            "npv_dkk": self.npv_dkk,
            "npv_by_payer_dkk": self.npv_by_payer,
            "pv_cost_dkk": self.pv_cost_dkk,
            "pv_saving_dkk": self.pv_benefit_dkk,
            "benefit_cost_ratio": self.benefit_cost_ratio,
            "payback_year": self.payback_year,
            "payback_year_undiscounted": self.payback_year_undiscounted,
            "break_even_effect": self.break_even_effect,
            "break_even_success_rate_with": self.break_even_success_rate_with,
            "decision_rule": self.case.decision_rule.name if self.case.decision_rule else None,
            "rule_met": self.rule_met,
            "rule_parts": self.rule_parts,
        }


def discount_factors(schedule: tuple[tuple[int, int, float], ...], horizon: int) -> NDArray[np.float64]:
    """Factor per year index 0..horizon-1: 1 in year 0, then divided by (1 + rate of year t)."""
    rates = np.zeros(horizon)
    for first, last, rate in schedule:
        rates[first : last + 1] = rate
    rates[0] = 0.0  # year 0 is not discounted
    factors: NDArray[np.float64] = np.cumprod(1.0 / (1.0 + rates), dtype=np.float64)
    return factors


def _pad(arr: tuple[float, ...], horizon: int) -> NDArray[np.float64]:
    out = np.zeros(horizon)
    out[: len(arr)] = arr
    return out


def _flows(
    case: InvestmentCase,
    overrides: Mapping[str, NDArray[np.float64]] | None,
    effect_override: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[int, NDArray[np.float64]]]:
    """Costs and savings by payer, shape (draws, 3, horizon), and child-year changes by step.

    ``overrides`` maps uncertain paths to arrays of shape (draws,). ``effect_override`` sets
    the effect scale (net success rate for SØM, ``scale`` for a shift) per draw.
    """
    ov = overrides or {}
    n = max([len(v) for v in ov.values()] + ([len(effect_override)] if effect_override is not None else []) + [1])
    h = case.horizon_years

    def val(path: str, base: float) -> NDArray[np.float64]:
        x = ov.get(path)
        return np.full((n, 1), base) if x is None else np.asarray(x, dtype=float).reshape(n, 1)

    cost = np.zeros((n, len(PAYERS), h))
    for c in case.costs:
        pi = PAYERS.index(c.payer)
        if c.fte_per_year:
            fte = val(f"costs.{c.name}.fte", 0.0) if f"costs.{c.name}.fte" in ov else _pad(c.fte_per_year, h)[None, :]
            cost[:, pi, :] += fte * val(f"costs.{c.name}.dkk_per_fte_per_year", c.dkk_per_fte_per_year)
        else:
            dkk = val(f"costs.{c.name}.dkk", 0.0) if f"costs.{c.name}.dkk" in ov else _pad(c.dkk_per_year, h)[None, :]
            cost[:, pi, :] += np.broadcast_to(dkk, (n, h))

    e = case.effect
    delta: dict[int, NDArray[np.float64]] = {}  # step -> (draws, horizon) child-years
    if isinstance(e, SomEffect):
        net_rate = val("effect.success_rate_with", e.success_rate_with) - val(
            "effect.success_rate_without", e.success_rate_without
        )
        if effect_override is not None:
            net_rate = np.asarray(effect_override, dtype=float).reshape(n, 1)
        participants = (
            val("effect.participants", 0.0)
            if "effect.participants" in ov
            else _pad(e.participants_per_year, h)[None, :]
        )
        phase = np.ones(h)
        k = min(len(e.phase_in), h)
        phase[:k] = e.phase_in[:k]
        t = np.arange(h)
        fading = val("effect.fading_per_year", e.fading_per_year)
        multiplier = phase[None, :] * (1.0 - fading) ** np.maximum(0, t - e.fading_from_year)[None, :]
        successes = participants * net_rate * multiplier  # (draws, horizon)
        for s, change in e.use_change_per_success.items():
            delta[s] = successes * val(f"effect.use_change_per_success.{s}", change)
    elif isinstance(e, ShiftEffect):
        scale = val("effect.scale", e.scale)
        if effect_override is not None:
            scale = np.asarray(effect_override, dtype=float).reshape(n, 1)
        for s, arr in e.child_years_by_step.items():
            delta[s] = scale * _pad(arr, h)[None, :]

    benefit = np.zeros((n, len(PAYERS), h))
    prices = {p.step: p for p in case.prices}
    for s, d in delta.items():
        for payer, price in prices[s].dkk_per_child_year.items():
            # fewer child-years (negative delta) save money: saving = -delta * price
            benefit[:, PAYERS.index(payer), :] -= d * val(f"prices.{s}.{payer}", price)
    return cost, benefit, delta


def _payback(cumulative: NDArray[np.float64]) -> NDArray[np.int64]:
    """First year index from which the cumulative stays >= 0 to the horizon; -1 if never.

    ``cumulative`` has shape (draws, horizon).
    """
    h = cumulative.shape[-1]
    negative = cumulative < 0
    # last negative year index (or -1 if none); payback is the year after it
    last_neg = np.where(negative.any(axis=-1), h - 1 - np.argmax(negative[..., ::-1], axis=-1), -1)
    return np.where(last_neg + 1 < h, last_neg + 1, -1)


def _rule(
    rule: DecisionRule | None,
    net: NDArray[np.float64],
    cumulative: NDArray[np.float64],
    cumulative_discounted: NDArray[np.float64],
) -> dict[str, NDArray[np.bool_]]:
    """Each part of the rule, shape (draws,), plus ``met`` (all parts)."""
    n = net.shape[0]
    parts: dict[str, NDArray[np.bool_]] = {}
    if rule is None:
        return parts
    if rule.earn_back_after_years is not None:
        parts["earn_back"] = net[:, rule.earn_back_after_years] > 0
    if rule.surplus_after_years is not None:
        cum = cumulative_discounted if rule.discounted else cumulative
        idx = rule.surplus_after_years - 1
        parts["surplus"] = cum[:, idx] > 0 if idx >= 0 else np.ones(n, dtype=bool)
    met = np.ones(n, dtype=bool)
    for v in parts.values():
        met &= v
    parts["met"] = met
    return parts


@dataclass(frozen=True)
class _Batch:
    cost: NDArray[np.float64]
    benefit: NDArray[np.float64]
    net: NDArray[np.float64]
    factor: NDArray[np.float64]
    npv: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    cumulative_discounted: NDArray[np.float64]
    payback: NDArray[np.int64]
    rule: dict[str, NDArray[np.bool_]]
    delta: dict[int, NDArray[np.float64]]


def _evaluate_batch(
    case: InvestmentCase,
    overrides: Mapping[str, NDArray[np.float64]] | None = None,
    effect_override: NDArray[np.float64] | None = None,
) -> _Batch:
    cost, benefit, delta = _flows(case, overrides, effect_override)
    factor = discount_factors(case.discount_schedule, case.horizon_years)
    net = (benefit - cost).sum(axis=1)  # (draws, horizon)
    cumulative = np.cumsum(net, axis=-1)
    cumulative_discounted = np.cumsum(net * factor, axis=-1)
    return _Batch(
        cost=cost,
        benefit=benefit,
        net=net,
        factor=factor,
        npv=cumulative_discounted[:, -1],
        cumulative=cumulative,
        cumulative_discounted=cumulative_discounted,
        payback=_payback(cumulative_discounted),
        rule=_rule(case.decision_rule, net, cumulative, cumulative_discounted),
        delta=delta,
    )


def evaluate_case(case: InvestmentCase) -> CaseResult:
    """Evaluate an investment case at its base values.

    Returns:
        A :class:`CaseResult` with the yearly flows by payer, NPV, payback year, benefit-cost
        ratio, break-even effect and the decision rule.
    """
    b = _evaluate_batch(case)
    f = b.factor
    cost, benefit = b.cost[0], b.benefit[0]
    pv_cost = float((cost.sum(axis=0) * f).sum())
    pv_benefit = float((benefit.sum(axis=0) * f).sum())
    npv = float(b.npv[0])
    # NPV is linear in the effect (net success rate or shift scale): NPV(k) = NPV(0) + k * slope
    npv_zero = float(_evaluate_batch(case, effect_override=np.zeros(1)).npv[0])
    npv_one = float(_evaluate_batch(case, effect_override=np.ones(1)).npv[0])
    slope = npv_one - npv_zero
    break_even = -npv_zero / slope if slope != 0 else None
    be_with = None
    if isinstance(case.effect, SomEffect) and break_even is not None:
        be_with = case.effect.success_rate_without + break_even
    payback = int(b.payback[0])
    payback_u = int(_payback(b.cumulative)[0])
    return CaseResult(
        case=case,
        years=np.arange(case.horizon_years),
        calendar_years=case.start_year + np.arange(case.horizon_years),
        discount_factor=f,
        cost_by_payer=cost,
        benefit_by_payer=benefit,
        net_by_payer=benefit - cost,
        net=b.net[0],
        net_discounted=b.net[0] * f,
        cumulative=b.cumulative[0],
        cumulative_discounted=b.cumulative_discounted[0],
        npv_dkk=npv,
        npv_by_payer={p: float(((benefit[i] - cost[i]) * f).sum()) for i, p in enumerate(PAYERS)},
        pv_cost_dkk=pv_cost,
        pv_benefit_dkk=pv_benefit,
        benefit_cost_ratio=pv_benefit / pv_cost if pv_cost > 0 else None,
        payback_year=payback if payback >= 0 else None,
        payback_year_undiscounted=payback_u if payback_u >= 0 else None,
        break_even_effect=break_even,
        break_even_success_rate_with=be_with,
        rule_met=bool(b.rule["met"][0]) if b.rule else None,
        rule_parts={k: bool(v[0]) for k, v in b.rule.items() if k != "met"},
        child_years_by_step={s: d[0] for s, d in sorted(b.delta.items())},
    )
