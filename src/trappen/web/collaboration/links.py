"""Which children a partner user reaches through the organisations they act for today.

Kept apart from the selectors so the register's ``children_visible_to`` can import it without
importing the rest of the app.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone


def current(on: dt.date, prefix: str = "") -> Q:
    """Rows whose half-open ``[start_date, end_date)`` covers ``on``."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on}))


def user_pk(user: object) -> int:
    """The user's primary key (0 for anonymous: matches no row)."""
    return int(getattr(user, "pk", 0) or 0)


def user_organisation_ids(user: object, *, on: dt.date | None = None) -> QuerySet:
    """The organisations ``user`` acts for on ``on`` (today), as a subquery of ids."""
    from trappen.web.collaboration.models import Membership

    day = on or timezone.localdate()
    return Membership.objects.filter(current(day), user_id=user_pk(user)).values("organisation_id")


def org_linked_child_ids(user: object, *, on: dt.date | None = None, shared_only: bool = True) -> QuerySet | list[int]:
    """The children linked on ``on`` (today) to an organisation ``user`` acts for.

    ``shared_only`` (what the register's ``children_visible_to`` asks): only those whose identity
    a consent or legal basis shares with one of those organisations that day, so lists and
    pages outside this app never name a child that is not shared. The collaboration pages ask
    for all of them (``shared_only=False``) to answer an unshared child with the refusal page.
    """
    from trappen.web.collaboration.models import ChildLink

    day = on or timezone.localdate()
    linked = ChildLink.objects.filter(current(day), organisation_id__in=user_organisation_ids(user, on=day))
    if not shared_only:
        return linked.values("child_id")
    ids = sorted(set(linked.values_list("child_id", flat=True)))
    if not ids:
        return []
    from trappen.web.collaboration.selectors import sharing_for

    shares = sharing_for(user, ids, on=day, groups=("identity",))
    return [c for c in ids if "identity" in shares[c]]
