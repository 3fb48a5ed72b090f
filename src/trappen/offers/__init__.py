"""The offer catalogue (tilbud): who runs an offer, the steps and intervention codes it serves,
its target group, places, date-ranged prices, status dates, national register id and evidence.

Public API::

    from trappen.offers import (
        Offer, OfferPrice, OfferCatalogue,                      # the model
        PROVIDERS, STATUSES, EVIDENCE_LEVELS,                   # the documented value lists
        validate_offers, offer_problems,                        # checks (every problem at once)
        read_offers, write_offers, prices_path,                 # CSV and Excel
        offer_price_dkk_per_day, check_new_episodes,            # prices, closed offers
    )

Pure core: no Django, no database. See docs/offers.md for the file layout.
"""

from trappen.offers._files import OFFER_COLUMNS, PRICE_COLUMNS, prices_path, read_offers, write_offers
from trappen.offers._model import (
    AGE_MAX_YEARS,
    AGE_MIN_YEARS,
    BOUGHT,
    EVIDENCE_LEVELS,
    LIST_SEPARATOR,
    PROVIDERS,
    STATUSES,
    Offer,
    OfferCatalogue,
    OfferPrice,
)
from trappen.offers._validate import (
    check_new_episodes,
    offer_price_dkk_per_day,
    offer_problems,
    validate_offers,
)

NO_FREE_PLACE_REASON = "lower step not available: no free place"
"""The reason a step-up gives for a lower step that would meet the need but has no free place:
counted apart from "does not meet the need", since it signals a missing step (#17)."""

__all__ = [
    "AGE_MAX_YEARS", "AGE_MIN_YEARS", "BOUGHT", "EVIDENCE_LEVELS", "NO_FREE_PLACE_REASON",
    "LIST_SEPARATOR", "OFFER_COLUMNS",
    "PRICE_COLUMNS", "PROVIDERS", "STATUSES", "Offer", "OfferCatalogue", "OfferPrice", "check_new_episodes",
    "offer_price_dkk_per_day", "offer_problems", "prices_path", "read_offers", "validate_offers", "write_offers",
]
