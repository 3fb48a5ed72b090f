"""Honest inference with few districts: cluster counts, flags and plain-language caveats."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

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
    )


def caveats(flags: InferenceFlags, counts: ClusterCounts, *, language: str = "en") -> list[str]:
    """Plain-language caveats for a report, in English (``"en"``) or Danish (``"da"``)."""
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
            "Kun ét distrikt har ændret arbejdsgang. Usikkerheden kan kun vurderes med placebo-test "
            "(hvert andet distrikt behandles som om det havde ændret sig); almindelige p-værdier og "
            "konfidensintervaller er ikke meningsfulde." if da else
            "Only one district changed. Uncertainty can only be judged by placebo tests (treating each "
            "other district as if it had changed); ordinary p-values and confidence intervals are not "
            "meaningful.")
    elif flags.few_treated:
        out.append(
            f"Færre end {FEW_TREATED_CLUSTERS} distrikter har ændret arbejdsgang. Analytiske p-værdier og "
            "wild bootstrap kan give alt for små p-værdier; randomiseringsinferens (hvilke distrikter der "
            "ændrede sig, byttes rundt) er det ærlige mål, og resultatet bør læses som vejledende." if da else
            f"Fewer than {FEW_TREATED_CLUSTERS} districts changed. Analytic and wild-bootstrap p-values can be "
            "far too small; randomisation inference (permuting which districts changed) is the honest check, "
            "and the result should be read as indicative.")
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
    out.append(
        "Forskelle mellem distrikter kan skyldes andet end arbejdsgangen; testen for ens udvikling før "
        "skiftet kan ikke udelukke det." if da else
        "Differences between districts may have other causes than the way of working; the test of "
        "parallel trends before the change cannot rule that out.")
    return out
