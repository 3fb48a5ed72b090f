"""A synthetic nation: many small municipalities with sizes spread like Denmark's 98."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from trappen.errors import InvalidInput
from trappen.register import Register
from trappen.synthetic._generator import generate

SIZE_SIGMA = 0.8
"""Spread (log scale) of children per municipality. Danmarks Statistik FOLK1A: children 0-17 per
municipality range from a few hundred (Læsø, Fanø) to ~110,000 (København), median ~8,000; a
log-normal with sigma 0.8 around the median, clipped below, gives a similar spread."""

FIRST_CODE = 901
"""Synthetic municipality codes 901, 902, ...: outside the real kommunekoder (101-860), so a synthetic
bundle can never be taken for a real municipality's."""


@dataclass(frozen=True, kw_only=True)
class SyntheticMunicipality:
    """One synthetic municipality: its code, size (children 0-17) and generator seed."""

    code: str
    children: int
    seed: int


def synthetic_municipalities(*, municipalities: int = 98, children_scale: int = 8_000,
                             seed: int) -> list[SyntheticMunicipality]:
    """The municipalities of a synthetic nation (cheap: sizes and seeds, no registers).

    Args:
        municipalities: how many (1-98).
        children_scale: median children 0-17 per municipality.
        seed: seed of the ``numpy.random.Generator`` drawing sizes and per-municipality seeds.
    """
    if not 1 <= municipalities <= 98:
        raise InvalidInput("between 1 and 98 municipalities", field="municipalities", value=municipalities)
    if children_scale < 20:
        raise InvalidInput("children_scale must be at least 20", field="children_scale", value=children_scale)
    rng = np.random.default_rng(seed)
    sizes = np.maximum(np.rint(children_scale * np.exp(rng.normal(0.0, SIZE_SIGMA, municipalities))),
                       max(10, children_scale // 5)).astype(int)
    seeds = rng.integers(0, 2**31 - 1, municipalities)
    return [SyntheticMunicipality(code=str(FIRST_CODE + i), children=int(sizes[i]), seed=int(seeds[i]))
            for i in range(municipalities)]


def synthetic_nation(*, municipalities: int = 98, children_scale: int = 8_000, years: int = 3, seed: int,
                     end_date: date = date(2025, 12, 31)) -> dict[str, Register]:
    """Registers of a synthetic nation, by municipality code (each from :func:`generate`).

    Keep ``children_scale`` small in tests (~150): 98 national-size registers need gigabytes; the
    benchmark generates and exports one municipality at a time instead.
    """
    return {m.code: generate(children=m.children, years=years, seed=m.seed, end_date=end_date)
            for m in synthetic_municipalities(municipalities=municipalities, children_scale=children_scale,
                                              seed=seed)}
