"""Writes of the offer catalogue: import (all or nothing), edit with history, the check of an
offer picked for a new intervention, the waiting list, the free-text provider migration and the
demo catalogue. Rights come from the permission table (resource ``offer``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trappen.errors import InvalidInput, Problem
from trappen.offers import Offer, OfferCatalogue, OfferPrice, offer_problems, read_offers
from trappen.privacy.roles import permission
from trappen.web import rules
from trappen.web.offers import models as om
from trappen.web.offers.convert import PRICE_FIELDS, offer_from_row, row_values, snapshot
from trappen.web.offers.selectors import age_years, running_on
from trappen.web.register import models as m


class _System:
    """The operator at the command line (``trappen offers import``): the administrator's grants."""

    pk = None
    role = "admin"
    is_authenticated = True


SYSTEM = _System()


def require(user: object, action: str) -> None:
    """403 unless the user's role holds ``offer``/``action`` in the permission table."""
    if permission(getattr(user, "role", "") or "", "offer", action) is None:
        raise PermissionDenied(f"no right to {action} offers")


def _actor(user: object) -> Any:
    return user if getattr(user, "pk", None) is not None else None


def _revision(row: om.Offer, *, user: object, how: str) -> None:
    om.OfferRevision.objects.create(offer=row, version=row.version, data=snapshot(offer_from_row(row)),
                                    changed_by=_actor(user), changed_at=timezone.now(), how=how)


def _write_prices(row: om.Offer, offer: Offer) -> None:
    row.prices.all().delete()
    om.OfferPrice.objects.bulk_create([om.OfferPrice(offer=row, **{f: getattr(p, f) for f in PRICE_FIELDS})
                                       for p in offer.prices])


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    not_in_file: tuple[str, ...] = field(default_factory=tuple)
    """Offers in the database the file does not name: kept as they are (an offer with episodes
    is never deleted; close it with its status dates instead)."""


def _closed_with_new_episodes(catalogue: OfferCatalogue, rows: Mapping[str, om.Offer]) -> list[Problem]:
    """An offer the file closes on a day while episodes in it start on or after that day."""
    problems = []
    for number, offer in enumerate(catalogue.offers, start=1):
        row = rows.get(offer.offer_id)
        if row is None or offer.closed_on is None:
            continue
        late = m.Episode.objects.filter(offer=row, start_date__gte=offer.closed_on).count()
        if late:
            problems.append(Problem(field="closed_on", value=offer.closed_on.isoformat(), table="offers", row=number,
                                    message=f"{late} episode(s) in offer {offer.offer_id!r} start on or after this "
                                            "day: a closed offer cannot have new episodes"))
    return problems


@transaction.atomic
def catalogue_import(*, user: object, catalogue: OfferCatalogue) -> ImportResult:
    """Write a validated catalogue: new offers created, changed ones updated (the earlier version
    kept as a revision), all or nothing.

    Raises:
        PermissionDenied: no ``offer``/``create`` grant.
        InvalidInput: the file closes an offer that has episodes starting on or after its
            ``closed_on`` (row and column named); nothing is written.
    """
    require(user, "create")
    rows = {r.offer_id: r for r in om.Offer.objects.select_for_update().prefetch_related("prices")}
    problems = _closed_with_new_episodes(catalogue, rows)
    if problems:
        raise InvalidInput(problems)
    created = updated = unchanged = 0
    for offer in catalogue.offers:
        row = rows.get(offer.offer_id)
        if row is None:
            row = om.Offer.objects.create(**row_values(offer))
            _write_prices(row, offer)
            created += 1
            continue
        if offer_from_row(row) == offer:
            unchanged += 1
            continue
        _revision(row, user=user, how="import")
        for key, value in row_values(offer).items():
            setattr(row, key, value)
        row.version += 1
        row.save()
        _write_prices(row, offer)
        updated += 1
    named = {o.offer_id for o in catalogue.offers}
    return ImportResult(created=created, updated=updated, unchanged=unchanged,
                        not_in_file=tuple(sorted(set(rows) - named)))


def catalogue_import_file(*, user: object, path: Path | str) -> ImportResult:
    """Read, validate and import a catalogue file (CSV with its prices file, or Excel).

    Raises:
        InvalidInput: every problem of the file with table, row and column; nothing written.
    """
    require(user, "create")
    return catalogue_import(user=user, catalogue=read_offers(path, catalogue=rules.catalogue()))


@transaction.atomic
def offer_edit(*, user: object, row: om.Offer, changes: Mapping[str, Any], version: int | None,
               prices: tuple[OfferPrice, ...] | None = None) -> om.Offer:
    """Change an offer's fields (and prices); the earlier version is kept as a revision.

    Raises:
        PermissionDenied: no ``offer``/``change`` grant.
        EditConflict: someone saved the offer since ``version``.
        InvalidInput: the changed offer breaks a catalogue rule (every problem named), or
            closes it while episodes start on or after ``closed_on``.
    """
    from trappen.errors import EditConflict

    require(user, "change")
    row = om.Offer.objects.select_for_update().prefetch_related("prices").get(pk=row.pk)
    if version is not None and version != row.version:
        raise EditConflict([Problem(field="version", value=version,
                                    message="the offer was changed by someone else while you edited")],
                           current_version=row.version)
    before = offer_from_row(row)
    values: dict[str, Any] = dict(changes)
    if prices is not None:
        values["prices"] = prices
    after = replace(before, **values)
    problems = offer_problems([after], catalogue=rules.catalogue())
    problems += _closed_with_new_episodes(OfferCatalogue(offers=(after,)), {after.offer_id: row})
    if problems:
        raise InvalidInput(problems)
    if after == before:
        return row
    _revision(row, user=user, how="edit")
    for key, value in row_values(after).items():
        setattr(row, key, value)
    row.version += 1
    row.save()
    if prices is not None:
        _write_prices(row, after)
    return row


def offer_check_for_episode(*, offer_pk: int, child: m.Child, step: int, intervention_code: str,
                            start_date: dt.date, overbooking: bool) -> om.Offer:
    """The offer a new intervention picks, when it may: the offer serves the step and the code
    and the child's age, is open on the start date (a closing or closed offer takes no new
    episodes), and has a free place that day unless the start is recorded as an overbooking.

    Raises:
        InvalidInput: naming ``offer`` (or ``overbooking``) and why, in words.
    """
    row = om.Offer.objects.select_for_update().filter(pk=offer_pk).first()
    if row is None:
        raise InvalidInput("no offer with this id", field="offer", value=offer_pk)
    offer = offer_from_row(row)
    status = offer.status_on(start_date)
    if status != "open":
        when = offer.closed_on if status == "closed" else offer.closing_on if status == "closing" else offer.opened_on
        raise InvalidInput(
            f"the offer {offer.name} is {status or 'not yet open'} on {start_date.isoformat()} "
            f"(from {when.isoformat() if when else '-'}): it takes no new episodes", field="offer", value=offer_pk)
    problems = []
    if step not in offer.steps:
        problems.append(Problem(field="offer", value=offer_pk,
                                message=f"the offer {offer.name} serves step {', '.join(map(str, offer.steps))}, "
                                        f"not step {step}"))
    if intervention_code not in offer.intervention_codes:
        problems.append(Problem(field="offer", value=offer_pk,
                                message=f"the offer {offer.name} does not give {intervention_code}"))
    age = age_years(child.birth_date, start_date)
    if not offer.age_min_years <= age <= offer.age_max_years:
        problems.append(Problem(field="offer", value=offer_pk,
                                message=f"the offer {offer.name} takes children aged {offer.age_min_years}-"
                                        f"{offer.age_max_years}; the child is {age}"))
    if problems:
        raise InvalidInput(problems)
    occupied = m.Episode.objects.filter(running_on(start_date), offer=row).count()
    if occupied >= offer.places and not overbooking:
        raise InvalidInput(f"the offer {offer.name} is full on {start_date.isoformat()} ({occupied} children, "
                           f"{offer.places} places): pick it only as a recorded overbooking",
                           field="overbooking", value=False)
    return row


@transaction.atomic
def waiting_add(*, user: object, child: m.Child, step: int, intervention_code: str, decided_on: dt.date,
                offer: om.Offer | None = None) -> om.WaitingEntry:
    """Put a decided intervention on the waiting list (no place free yet).

    Raises:
        PermissionDenied / Http404: no ``intervention``/``create`` grant covering the child.
        InvalidInput: the code is not for the step; the decision lies in the future.
    """
    from trappen.staircase import check_step_allowed
    from trappen.web.audit.services import audit_record
    from trappen.web.scope import require as require_child

    require_child(user, "intervention", "create", child=child)
    check_step_allowed(rules.catalogue(), code=intervention_code, step=step)
    if decided_on > timezone.localdate():
        raise InvalidInput("a decision cannot lie in the future", field="decided_on", value=decided_on.isoformat())
    entry = om.WaitingEntry.objects.create(child=child, step=step, intervention_code=intervention_code,
                                           decided_on=decided_on, offer=offer)
    audit_record(actor=user, child_id=child.pk, action="write", endpoint="waiting_add",
                 purpose=f"waiting for a place on step {step}")
    return entry


def waiting_placed(*, episode: m.Episode) -> int:
    """Close the child's open waiting entries on the episode's step: placed on its start date,
    and the episode keeps the decision date (its wait). Returns the entries closed."""
    entries = list(om.WaitingEntry.objects.filter(child_id=episode.child_id, step=episode.step,
                                                  placed_on__isnull=True, cancelled_on__isnull=True,
                                                  decided_on__lte=episode.start_date))
    if not entries:
        return 0
    first = min(e.decided_on for e in entries)
    om.WaitingEntry.objects.filter(pk__in=[e.pk for e in entries]).update(placed_on=episode.start_date,
                                                                          episode=episode)
    if episode.decided_on is None or first < episode.decided_on:
        m.Episode.objects.filter(pk=episode.pk).update(decided_on=first)
        episode.decided_on = first
    return len(entries)


# ----------------------------------------------------------------------- free-text providers
@dataclass(frozen=True, kw_only=True)
class ProviderMigration:
    matched: int
    """Episodes linked to an offer."""
    already: int
    """Episodes that had an offer before."""
    unmatched: dict[str, int]
    """Provider names no offer matched, with their episode counts (the episodes keep the text)."""


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@transaction.atomic
def providers_migrate(*, dry_run: bool = False) -> ProviderMigration:
    """Link episodes whose free-text ``provider`` names an offer (its name or its provider's,
    case and spaces ignored) serving the episode's step and code to that offer. The text is kept
    on every episode (nothing lost); names that match no offer (or several) are reported."""
    by_name: dict[str, list[om.Offer]] = {}
    for row in om.Offer.objects.all():
        for key in {_norm(row.name), _norm(row.provider_name)} - {""}:
            by_name.setdefault(key, []).append(row)
    matched = 0
    unmatched: dict[str, int] = {}
    updates: dict[int, list[int]] = {}
    rows = (m.Episode.objects.filter(offer__isnull=True).exclude(provider="")
            .values_list("pk", "provider", "step", "intervention_code"))
    for pk, provider, step, code in rows.iterator(chunk_size=5000):
        fits = [r for r in by_name.get(_norm(provider), [])
                if step in r.steps and code in r.intervention_codes]
        if len(fits) != 1:
            fits = fits or [r for r in by_name.get(_norm(provider), []) if step in r.steps]
        if len(fits) == 1:
            updates.setdefault(fits[0].pk, []).append(pk)
            matched += 1
        else:
            unmatched[provider.strip()] = unmatched.get(provider.strip(), 0) + 1
    if not dry_run:
        for offer_pk, pks in updates.items():
            for start in range(0, len(pks), 900):
                m.Episode.objects.filter(pk__in=pks[start:start + 900]).update(offer_id=offer_pk)
    already = m.Episode.objects.filter(~Q(offer=None)).count() - (0 if dry_run else matched)
    return ProviderMigration(matched=matched, already=already, unmatched=dict(sorted(unmatched.items())))
