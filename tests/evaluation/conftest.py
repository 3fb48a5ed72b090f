"""Small seeded panels shared by the evaluation tests."""

from __future__ import annotations

import numpy as np
import polars as pl


def simulate_panel(rng: np.random.Generator, *, cohorts: list[float], periods: int, effect: float = 0.0,
                   slope: float = 0.0, noise_sd: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes (units, periods) with unit and period effects and an effect ``effect + slope * e``."""
    cohort = np.asarray(cohorts, dtype=float)
    n = cohort.size
    t = np.arange(periods)
    y = rng.normal(0, 2, size=(n, 1)) + 0.3 * t[None, :] + rng.normal(0, noise_sd, size=(n, periods))
    e = t[None, :] - cohort[:, None]
    treated = e >= 0
    y = y + np.where(treated, effect + slope * np.where(treated, e, 0), 0.0)
    return y, cohort


def to_long(y: np.ndarray, cohort: np.ndarray) -> pl.DataFrame:
    n, t = y.shape
    return pl.DataFrame({
        "district_code": np.repeat([f"D{i:02d}" for i in range(n)], t),
        "period_index": np.tile(np.arange(t), n).astype(np.int32),
        "y": y.ravel(),
        "adoption_index": pl.Series([int(c) if np.isfinite(c) else None for c in cohort for _ in range(t)],
                                    dtype=pl.Int32),
    })
