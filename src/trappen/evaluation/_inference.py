"""Honest inference with few districts: cluster counts, flags and plain-language caveats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from trappen.evaluation._randomisation import MIN_ASSIGNMENTS, MIN_TREATED

if TYPE_CHECKING:
    from trappen.evaluation._did import PretrendTest
    from trappen.evaluation._randomisation import DesignPower
    from trappen.evaluation._sensitivity import Sensitivity, SlopeTest

FEW_TREATED_CLUSTERS = 5
"""Below this many treated clusters, analytic (and even wild-bootstrap) p-values are unreliable.
Source: the evaluation issue ("fewer than about five"); Conley & Taber (2011, REStat) and
MacKinnon & Webb (2017, J. Applied Econometrics) on over-rejection with few treated clusters."""

WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
"""Webb's (2014/2023) six-point wild-bootstrap weights: mean 0, variance 1, many more distinct
draws than Rademacher when there are few clusters."""

BOOTSTRAP_WEIGHTS = ("rademacher", "webb", "mammen")


def bootstrap_weights(rng: np.random.Generator, *, draws: int, clusters: int,
                      kind: str = "webb") -> NDArray[np.float64]:
    """Wild/multiplier bootstrap weights, one per cluster and draw.

    Returns:
        Array of shape (draws, clusters), mean 0 and variance 1 per entry.
    """
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(draws, clusters))
    if kind == "webb":
        return rng.choice(WEBB_POINTS, size=(draws, clusters))
    if kind == "mammen":
        s5 = np.sqrt(5.0)
        p = (s5 + 1) / (2 * s5)
        return np.where(rng.random((draws, clusters)) < p, -(s5 - 1) / 2, (s5 + 1) / 2)
    raise ValueError(f"bootstrap weights must be one of {BOOTSTRAP_WEIGHTS}, got {kind!r}")


@dataclass(frozen=True, kw_only=True)
class ClusterCounts:
    """Districts (clusters) by their role in a staggered comparison."""

    treated: int
    """Districts adopting inside the window after at least one untreated period."""
    never_treated: int
    """Districts not adopting inside the window: controls throughout."""
    always_treated: int
    """Districts that adopted before the window started: no pre-period, not used."""
    total: int
    cohorts: int
    """Distinct adoption periods among the treated."""

    not_yet_treated: int
    """Treated districts that serve as controls for earlier cohorts before they adopt."""
    assignments: int = 0
    """Distinct assignments of the adoption periods to the districts (what randomisation inference
    permutes); its smallest p-value is 1 / assignments."""

    @property
    def control(self) -> int:
        """Clusters ever used as controls: never-treated plus not-yet-treated."""
        return self.never_treated + self.not_yet_treated


@dataclass(frozen=True, kw_only=True)
class InferenceFlags:
    """Structured warnings about what kind of inference the data support."""

    few_treated: bool
    """Fewer than :data:`FEW_TREATED_CLUSTERS` treated clusters: analytic p-values flagged."""
    single_treated: bool
    """One treated district: only placebo-based (randomisation) inference is possible."""
    no_never_treated: bool
    """Every district adopts in the window: late cells have no control; compare municipalities."""
    no_controls: bool
    """No district is ever a valid control: nothing is identified within the municipality."""
    descriptive: bool = False
    """Fewer than :data:`MIN_TREATED` treated districts or :data:`MIN_ASSIGNMENTS` assignments: no
    p-value or interval can be trusted (or reach 5%), so differences are shown as descriptions only."""

    @property
    def analytic_p_unreliable(self) -> bool:
        return self.few_treated

    @property
    def placebo_only(self) -> bool:
        return self.single_treated


def inference_flags(counts: ClusterCounts) -> InferenceFlags:
    """The flags implied by the cluster counts."""
    return InferenceFlags(
        few_treated=counts.treated < FEW_TREATED_CLUSTERS,
        single_treated=counts.treated == 1,
        no_never_treated=counts.never_treated == 0,
        no_controls=counts.never_treated == 0 and counts.cohorts <= 1,
        descriptive=counts.treated < MIN_TREATED or counts.assignments < MIN_ASSIGNMENTS,
    )


def _num(x: float, da: bool) -> str:
    """Two significant figures; a decimal comma in Danish."""
    text = f"{x:.2g}" if abs(x) < 1000 else f"{x:,.0f}"
    return text.replace(",", "\u2009").replace(".", ",") if da else text


def _pct(x: float, da: bool) -> str:
    return f"{100 * x:.0f} %" if da else f"{100 * x:.0f}%"


def caveats(flags: InferenceFlags, counts: ClusterCounts, *, language: str = "en",
            pretrend: PretrendTest | None = None, slope: SlopeTest | None = None, pretrend_failed: bool = False,
            sensitivity: Sensitivity | None = None, power: DesignPower | None = None) -> list[str]:
    """Plain-language caveats and warnings for a report, in English (``"en"``) or Danish (``"da"``).

    The counts and flags give the design's caveats; the optional checks add a warning when the
    pre-trend check fails or cannot be run, the breakdown value of a significant result, and the
    design's minimum detectable effect.
    """
    da = language == "da"
    out = [
        (f"Sammenligningen bygger på {counts.treated} distrikter med ændringen og "
         f"{counts.never_treated} distrikter uden; {counts.always_treated} distrikter havde ændringen "
         "før perioden og indgår ikke.") if da else
        (f"The comparison rests on {counts.treated} districts that changed and {counts.never_treated} "
         f"that did not; {counts.always_treated} districts changed before the window and are not used."),
    ]
    if flags.single_treated:
        out.append(
            "Kun ét distrikt har ændret arbejdsgang. Forskellen vises kun som en beskrivelse, uden p-værdier "
            "og konfidensintervaller: usikkerheden kan højst vurderes med placebo-test (hvert andet distrikt "
            f"behandles som om det havde ændret sig), og med {counts.total} distrikter kan ingen af dem nå "
            "5 %-niveauet. Tallene kan ikke vise, om ændringen virkede." if da else
            "Only one district changed. The difference is shown as a description only, without p-values or "
            "confidence intervals: uncertainty can at most be judged by placebo tests (treating each other "
            f"district as if it had changed), and with {counts.total} districts none of them can reach the 5% "
            "level. The figures cannot show whether the change worked.")
    elif flags.descriptive:
        out.append(
            f"Der er kun {counts.assignments} måder at vælge de distrikter, der ændrede sig: ingen p-værdi kan "
            f"komme under 1/{counts.assignments}. Forskellen vises kun som en beskrivelse, uden p-værdier og "
            "konfidensintervaller." if da else
            f"There are only {counts.assignments} ways to choose the districts that changed, so no p-value can "
            f"fall below 1/{counts.assignments}. The difference is shown as a description only, without "
            "p-values or confidence intervals.")
    elif flags.few_treated:
        out.append(
            f"Færre end {FEW_TREATED_CLUSTERS} distrikter har ændret arbejdsgang. Analytiske p-værdier og "
            "wild bootstrap kan give alt for små p-værdier; randomiseringstesten er det ærlige mål: hvilke "
            "distrikter der ændrede sig, byttes rundt, og hver forskel deles med en standardfejl fra "
            "distrikternes egen støj, så små og store distrikter sammenlignes på lige fod. Dens mindste "
            f"mulige p-værdi er 1/{counts.assignments}, og resultatet bør læses som vejledende." if da else
            f"Fewer than {FEW_TREATED_CLUSTERS} districts changed. Analytic and wild-bootstrap p-values can be "
            "far too small; the randomisation test is the honest check: it permutes which districts changed "
            "and divides each difference by a standard error from the districts' own noise, so that small and "
            f"large districts are compared fairly. Its smallest possible p-value is 1/{counts.assignments}, and "
            "the result should be read as indicative.")
    if flags.no_controls:
        out.append(
            "Alle distrikter ændrede sig samtidig: der er ingen sammenligning inden for kommunen. "
            "Sammenlign med andre kommuner (syntetisk kontrol)." if da else
            "Every district changed at the same time: there is no comparison inside the municipality. "
            "Compare with other municipalities (synthetic control).")
    elif flags.no_never_treated:
        out.append(
            "Alle distrikter ændrer sig i perioden. Effekter efter det sidste distrikts skift kan ikke "
            "måles inden for kommunen; sammenlign med andre kommuner." if da else
            "Every district changes during the window. Effects after the last district changes cannot "
            "be measured inside the municipality; compare with other municipalities.")
    if not flags.no_controls:
        out += _check_warnings(flags, da=da, pretrend=pretrend, slope=slope, pretrend_failed=pretrend_failed,
                               sensitivity=sensitivity, power=power)
    out.append(
        "Forskelle mellem distrikter kan skyldes andet end arbejdsgangen; testen for ens udvikling før "
        "skiftet kan ikke udelukke det." if da else
        "Differences between districts may have other causes than the way of working; the test of "
        "parallel trends before the change cannot rule that out.")
    return out


def _check_warnings(flags: InferenceFlags, *, da: bool, pretrend: PretrendTest | None, slope: SlopeTest | None,
                    pretrend_failed: bool, sensitivity: Sensitivity | None, power: DesignPower | None) -> list[str]:
    """Warnings from the pre-trend checks, the breakdown value and the design's power."""
    out = []
    if pretrend is None and slope is None:
        out.append("Testen for ens udvikling før skiftet kunne ikke køres: der er færre end to perioder før "
                   "skiftet." if da else
                   "The check of parallel trends could not be run: there are fewer than two periods before "
                   "the change.")
    elif pretrend_failed:
        p_joint = _num(pretrend.p_value, da) if pretrend else "–"
        p_slope = _num(slope.p_value, da) if slope else "–"
        out.append(
            "Advarsel: allerede før skiftet udviklede de distrikter, der ændrede sig, sig anderledes end de "
            f"andre (samlet test p = {p_joint}; test for lineær trend p = {p_slope}). Effekten kan helt eller "
            "delvist være den trend, der fortsætter; se det trendkorrigerede skøn og følsomhedsanalysen." if da
            else
            "Warning: before the change, the districts that changed were already developing differently "
            f"from the others (joint test p = {p_joint}; linear-trend test p = {p_slope}). The effect may be "
            "partly or wholly that trend continuing; see the trend-adjusted estimate and the sensitivity "
            "analysis.")
    if sensitivity is not None and sensitivity.significant and np.isfinite(sensitivity.breakdown_relative):
        m = _num(sensitivity.breakdown_relative, da)
        s = _num(sensitivity.breakdown_slope, da)
        if sensitivity.fragile:
            out.append(
                "Advarsel: konklusionen er skrøbelig. Den ændres, hvis distrikterne efter skiftet afviger fra "
                f"ens udvikling med {m} gange den største afvigelse før skiftet (eller med en lineær trend på "
                f"{s} pr. periode)." if da else
                "Warning: the conclusion is fragile. It changes if, after the change, the districts depart from "
                f"parallel trends by {m} times the largest departure before it (or by a linear trend of {s} per "
                "period).")
        else:
            out.append(
                "Konklusionen holder, medmindre distrikterne efter skiftet afviger fra ens udvikling med mere "
                f"end {m} gange den største afvigelse før skiftet (lineær trend: {s} pr. periode)." if da else
                "The conclusion holds unless, after the change, the districts depart from parallel trends by "
                f"more than {m} times the largest departure before it (linear trend: {s} per period).")
    if power is not None and not flags.descriptive:
        if power.detectable:
            level = "af niveauet før skiftet" if da else "of the level before the change"
            rel = f" ({_pct(power.mde_relative, da)} {level})" if np.isfinite(power.mde_relative) else ""
            out.append(
                f"Med dette design skal en effekt være mindst {_num(power.mde, da)}{rel} for at blive "
                f"fundet {_pct(power.target, da)} af gangene på 5 %-niveauet; en ændring på "
                f"{_pct(power.reference_effect, da)} findes {_pct(power.power_at_reference, da)} af gangene. "
                "Et resultat, der ikke er signifikant, viser derfor ikke, at der ingen effekt er." if da else
                f"With this design an effect must be at least {_num(power.mde, da)}{rel} to be detected "
                f"{_pct(power.target, da)} of the time at the 5% level; a {_pct(power.reference_effect, da)} "
                f"change is detected {_pct(power.power_at_reference, da)} of the time. A result that is not "
                "significant therefore does not show that there is no effect.")
        else:
            out.append(
                "Med dette design kan ingen effekt inden for ti standardfejl påvises på 5 %-niveauet "
                f"{_pct(power.target, da)} af gangene; et resultat, der ikke er signifikant, siger intet om, "
                "hvorvidt der er en effekt." if da else
                "With this design no effect within ten standard errors is detected "
                f"{_pct(power.target, da)} of the time at the 5% level; a result that is not significant says "
                "nothing about whether there is an effect.")
    return out
