"""A synthetic offer catalogue (tilbud): 30-60 offers across the six steps, own and bought.

Deterministic for a seed (a NumPy Generator, never global random state). Names of providers are
invented; programme names (PMTO, MST, FFT, De Utrolige År, Tryghedscirklen) are real programmes
used in Danish municipalities, with illustrative, not sourced, effect sizes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from trappen.offers import Offer, OfferCatalogue, OfferPrice, validate_offers
from trappen.staircase import Catalogue, default_catalogue

USUAL_PLACES_BY_STEP = {1: 40, 2: 24, 3: 12, 4: 4, 5: 6, 6: 8}
"""The usual number of places of one offer on each step: the generator's assumption, set so that
a municipality of about 50,000 inhabitants covers its usual demand per step (cf. the synthetic
register's caseload on each step) with a handful of offers. Not a published figure."""

TIGHT_SHARE = 1 / 3
"""An offer is *tight* when its places are at most this share of its step's usual places
(:data:`USUAL_PLACES_BY_STEP`, the highest step it serves): few places relative to the step's
usual demand. Whether places are actually full needs episodes, which the catalogue has not."""

_EFFECT_SOURCE = "syntetisk: illustrativ effektstørrelse, ikke fra en undersøgelse"


@dataclass(frozen=True, kw_only=True)
class _Template:
    name: str
    provider_kind: str
    provider_name: str
    steps: tuple[int, ...]
    codes: tuple[str, ...]
    ages: tuple[int, int]
    needs: str
    programme: str | None = None
    evidence_level: str = "not_assessed"
    effect: tuple[float, float] | None = None


_T = _Template
_TEMPLATES: tuple[_Template, ...] = (
    _T(name="Sundhedsplejens ekstra besøg", provider_kind="own_municipality", provider_name="Sundhedsplejen",
       steps=(1,), codes=("HV_EXTRA_VISITS",), ages=(0, 1), needs="spædbørn med tegn på mistrivsel"),
    _T(name="ADBB-screening", provider_kind="own_municipality", provider_name="Sundhedsplejen",
       steps=(1,), codes=("ADBB_SCREENING",), ages=(0, 1), needs="tilbagetrækning hos spædbørn",
       evidence_level="documented"),
    _T(name="PPR-konsultation", provider_kind="own_municipality", provider_name="PPR",
       steps=(1,), codes=("PPR_CONSULTATION",), ages=(0, 16), needs="trivsel i dagtilbud og skole"),
    _T(name="PALS i skolen", provider_kind="own_municipality", provider_name="Skoleafdelingen",
       steps=(1,), codes=("PALS_SCHOOL",), ages=(6, 16), needs="adfærd i skolen", programme="PALS",
       evidence_level="promising", effect=(0.15, 0.08)),
    _T(name="Tryghedscirklen", provider_kind="own_municipality", provider_name="Familiehuset",
       steps=(1, 2), codes=("COS_P",), ages=(0, 6), needs="tilknytning mellem forælder og barn",
       programme="Tryghedscirklen (COS-P)", evidence_level="promising", effect=(0.2, 0.15)),
    _T(name="De Utrolige År forældrekursus", provider_kind="own_municipality", provider_name="Familiehuset",
       steps=(2,), codes=("PARENTING_COURSE",), ages=(3, 8), needs="adfærdsvanskeligheder hos mindre børn",
       programme="De Utrolige År", evidence_level="evidence_based", effect=(0.35, 0.1)),
    _T(name="Netværksgruppe for unge", provider_kind="own_municipality", provider_name="Ungeindsatsen",
       steps=(2,), codes=("NETWORK_GROUP",), ages=(12, 17), needs="ensomhed og skilsmisse i familien"),
    _T(name="Familierådgivning", provider_kind="own_municipality", provider_name="Familiehuset",
       steps=(2, 3), codes=("FAMILY_COUNSELLING",), ages=(0, 17), needs="konflikter i familien"),
    _T(name="Fritidsstøtte", provider_kind="own_municipality", provider_name="Ungeindsatsen",
       steps=(2,), codes=("LEISURE_SUPPORT",), ages=(6, 17), needs="deltagelse i fritidsliv"),
    _T(name="Familiebehandling", provider_kind="own_municipality", provider_name="Familiehuset",
       steps=(3,), codes=("FAMILY_TREATMENT",), ages=(0, 17), needs="omsorgssvigt og forældrekompetence"),
    _T(name="PMTO-behandling", provider_kind="own_municipality", provider_name="Familiehuset",
       steps=(3,), codes=("PMTO",), ages=(3, 12), needs="udadreagerende adfærd",
       programme="PMTO", evidence_level="evidence_based", effect=(0.3, 0.08)),
    _T(name="MST-team", provider_kind="other_municipality", provider_name="Nabokommunens MST-team",
       steps=(3,), codes=("MST",), ages=(12, 17), needs="alvorlig adfærd og kriminalitet",
       programme="MST", evidence_level="evidence_based", effect=(0.25, 0.1)),
    _T(name="FFT-forløb", provider_kind="private", provider_name="Familieterapi ApS",
       steps=(3,), codes=("FFT",), ages=(11, 18), needs="adfærd og konflikter hos unge",
       programme="FFT", evidence_level="documented", effect=(0.3, 0.12)),
    _T(name="Fast kontaktperson", provider_kind="own_municipality", provider_name="Ungeindsatsen",
       steps=(3,), codes=("CONTACT_PERSON",), ages=(10, 17), needs="skolefravær og mistrivsel"),
    _T(name="Aflastning i weekender", provider_kind="private", provider_name="Aflastningshjemmet Lærken",
       steps=(3,), codes=("RESPITE_STAY",), ages=(4, 17), needs="aflastning af familien"),
    _T(name="Døgnophold for familien", provider_kind="region", provider_name="Regionens familieinstitution",
       steps=(3,), codes=("FAMILY_STAY",), ages=(0, 6), needs="udredning af forældreevne"),
    _T(name="Dagbehandlingsskole", provider_kind="other_municipality", provider_name="Nabokommunens dagskole",
       steps=(3,), codes=("DAY_TREATMENT",), ages=(6, 16), needs="skole og behandling i dagtimerne"),
    _T(name="Efterværn med kontaktperson", provider_kind="own_municipality", provider_name="Ungeindsatsen",
       steps=(2, 3), codes=("AFTERCARE_CONTACT",), ages=(18, 22), needs="overgang til voksenliv"),
    _T(name="Netværksplejefamilier", provider_kind="own_municipality", provider_name="Familieplejen",
       steps=(4,), codes=("NETWORK_FOSTER_FAMILY",), ages=(0, 17), needs="anbringelse i slægt eller netværk"),
    _T(name="Almene plejefamilier", provider_kind="own_municipality", provider_name="Familieplejen",
       steps=(5,), codes=("FOSTER_GENERAL",), ages=(0, 17), needs="anbringelse i familie"),
    _T(name="Forstærkede plejefamilier", provider_kind="own_municipality", provider_name="Familieplejen",
       steps=(5,), codes=("FOSTER_REINFORCED",), ages=(0, 17), needs="anbringelse med ekstra støtte"),
    _T(name="Specialiserede plejefamilier", provider_kind="private", provider_name="Plejefamilieforeningen",
       steps=(5,), codes=("FOSTER_SPECIALISED",), ages=(0, 17), needs="særlige behov i familiepleje"),
    _T(name="Børne- og ungehjem", provider_kind="region", provider_name="Regionens børne- og ungehjem",
       steps=(6,), codes=("RESIDENTIAL_INSTITUTION",), ages=(6, 17), needs="døgnbehandling"),
    _T(name="Opholdssted", provider_kind="private", provider_name="Opholdsstedet Egely",
       steps=(6,), codes=("OPHOLDSSTED",), ages=(10, 17), needs="socialpædagogisk døgnophold"),
    _T(name="Sikret afdeling", provider_kind="region", provider_name="Regionens sikrede institution",
       steps=(6,), codes=("SECURE_INSTITUTION",), ages=(12, 17), needs="sikret anbringelse"),
    _T(name="Eget værelse med støtte", provider_kind="own_municipality", provider_name="Ungeindsatsen",
       steps=(6,), codes=("OWN_ROOM",), ages=(15, 22), needs="selvstændig bolig med støtte"),
    _T(name="Efterskole med støtte", provider_kind="private", provider_name="Efterskolen ved Fjorden",
       steps=(6,), codes=("BOARDING_SCHOOL",), ages=(14, 18), needs="skolegang væk fra hjemmet"),
)
_AREAS = ("Nord", "Syd", "Øst", "Vest", "Midt", "By", "Land")


def is_tight(offer: Offer) -> bool:
    """True when the offer has few places relative to its step's usual demand (:data:`TIGHT_SHARE`)."""
    usual = USUAL_PLACES_BY_STEP.get(max(offer.steps), 0) if offer.steps else 0
    return offer.places <= usual * TIGHT_SHARE


def _prices(offer_id: str, *, base_dkk_per_day: float, rng: np.random.Generator) -> tuple[OfferPrice, ...]:
    """One to three yearly price periods from 2024, the last open-ended; about 3 % a year more."""
    periods = int(rng.integers(1, 4))
    level = base_dkk_per_day * float(rng.uniform(0.85, 1.35))
    out = []
    for i in range(periods):
        year = 2024 + i
        out.append(OfferPrice(offer_id=offer_id, valid_from=dt.date(year, 1, 1),
                              valid_to=None if i == periods - 1 else dt.date(year + 1, 1, 1),
                              price_dkk_per_day=round(level * 1.03**i, 2), price_year=year,
                              source="syntetisk: kontraktpris"))
    return tuple(out)


def _offer(template: _Template, *, number: int, area: str | None, rng: np.random.Generator,
           catalogue: Catalogue) -> Offer:
    offer_id = f"T{number:03d}"
    usual = USUAL_PLACES_BY_STEP[max(template.steps)]
    tight = rng.random() < 0.2
    places = int(rng.integers(1, max(2, int(usual * TIGHT_SHARE)) + 1)) if tight else int(
        rng.integers(max(1, usual // 2), usual * 2 + 1))
    opened_on = dt.date(int(rng.integers(2008, 2023)), int(rng.integers(1, 13)), 1)
    closing_on = closed_on = None
    fate = rng.random()
    if fate < 0.2:  # closing now, some already closed
        closing_on = dt.date(2025, int(rng.integers(1, 13)), 1)
        if fate < 0.1:
            closed_on = dt.date(2026, int(rng.integers(1, 7)), 1)
    bought = template.provider_kind != "own_municipality"
    own_price = bought or rng.random() < 0.4
    base = catalogue.get(template.codes[0]).cost_dkk_per_day
    effect = template.effect
    legal_basis = catalogue.get(template.codes[0]).barnets_lov
    return Offer(
        offer_id=offer_id, name=template.name if area is None else f"{template.name} {area}",
        provider_kind=template.provider_kind, provider_name=template.provider_name, steps=template.steps,
        intervention_codes=template.codes, legal_basis=legal_basis, age_min_years=template.ages[0],
        age_max_years=template.ages[1], target_needs=template.needs, places=places, opened_on=opened_on,
        closing_on=closing_on, closed_on=closed_on,
        national_register_id=str(int(rng.integers(100_000, 1_000_000))) if bought else None,
        programme=template.programme, evidence_level=template.evidence_level,
        evidence_source="syntetisk: efter Vidensportalens vurdering" if template.programme else "",
        expected_effect_smd=effect[0] if effect else None, expected_effect_se=effect[1] if effect else None,
        effect_source=_EFFECT_SOURCE if effect else "",
        prices=_prices(offer_id, base_dkk_per_day=base, rng=rng) if own_price else (),
    )


def synthetic_offers(*, seed: int, offers: int | None = None, catalogue: Catalogue | None = None) -> OfferCatalogue:
    """A realistic, validated offer catalogue, identical for the same ``seed``.

    Every template (at least one offer per step, own and bought providers, evidence-based
    programmes) appears once; the rest are local variants ("Familiebehandling Nord"). About a
    fifth of offers are tight (:func:`is_tight`), a tenth closing and a tenth closed; bought
    offers and some own ones carry their own prices, the others fall back to the unit cost.

    Args:
        seed: the seed of the NumPy Generator.
        offers: how many offers, 30-60; drawn in that range when None.
        catalogue: the intervention catalogue (the default one when None).

    Raises:
        ValueError: ``offers`` outside 30-60.
    """
    cat = catalogue or default_catalogue()
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 61)) if offers is None else offers
    if not 30 <= n <= 60:
        raise ValueError(f"offers must be within 30-60, not {n}")
    chosen: list[tuple[_Template, str | None]] = [(t, None) for t in _TEMPLATES]
    used: set[tuple[str, str]] = set()
    while len(chosen) < n:
        template = _TEMPLATES[int(rng.integers(len(_TEMPLATES)))]
        area = _AREAS[int(rng.integers(len(_AREAS)))]
        if (template.name, area) not in used:
            used.add((template.name, area))
            chosen.append((template, area))
    made = [_offer(t, number=i, area=a, rng=rng, catalogue=cat) for i, (t, a) in enumerate(chosen[:n], start=1)]
    return validate_offers(made, catalogue=cat)
