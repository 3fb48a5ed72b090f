"""My day, the reads: a caseworker's (or a team leader's whole team's) open duties, grouped by
urgency (overdue, today, this week, later), filtered, each with the form that fulfils it; and
the count of overdue and today's duties shown on the navigation link.

The duties come from the deadline engine (:mod:`trappen.deadlines`) over the register cut to
these children (:func:`~trappen.web.casework.selectors.open_deadlines`), so the cost grows with
the caseload, not with the municipality.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from trappen.deadlines import CollaborationDuty, Duty, default_collaboration_duties, default_duties
from trappen.web.casework.selectors import open_deadlines
from trappen.web.labels import label
from trappen.web.register import models as m
from trappen.web.register.selectors import caseload_for_caseworker
from trappen.web.urlbuild import url_for

GROUPS = ("overdue", "today", "week", "later")
"""Urgency groups in display order. ``week``: due within the next 7 days (after today)."""

WEEK_DAYS = 7

_FULFIL: dict[str, tuple[str, str]] = {
    # duty id -> (URL name of the form that fulfils it, the argument it takes from the item)
    "D1": ("notification_assess", "ref_id"),          # assess the notification (§ 136)
    "D6": ("investigation_conclude", "ref_id"),       # conclude the investigation (§ 20 stk. 3)
    "D8": ("child_plan", "child_id"),                 # the child's plan (§ 91)
    "D9": ("child_plan", "child_id"),
    "D10": ("follow_up_new", "ref_id"),               # follow-up on the measure (§ 95)
    "D11": ("follow_up_new", "ref_id"),
    "D12": ("supervision_visit_new", "ref_id"),       # supervision visit (§ 156 stk. 5)
    "D14": ("child_plan", "child_id"),                # plan for support after 18 (§ 108)
    "C1": ("meeting_detail", "ref_id"),               # the meeting where the action was agreed
    "C2": ("collab_child", "child_id"),               # the child's collaboration page: its meetings, plan the next
}
"""Duties without a form of their own (D2 acknowledgement, D16 complaint re-assessment) link to
the child's casework page, where the record is."""


def fulfil_url(duty_id: str, *, child_id: int, ref_id: int) -> str:
    """The address of the form that fulfils this duty (the child's casework page if none)."""
    name, arg = _FULFIL.get(duty_id, ("child_casework", "child_id"))
    return url_for(name, child_id if arg == "child_id" else ref_id)


def paragraph(legal_source: str) -> str:
    """The Barnets Lov paragraph a duty rests on, as a filter key: ``"§ 91"`` for
    ``"Barnets Lov § 91 stk. 2 (tidl. ...)"``."""
    found = re.search(r"§+\s*(\d+)", legal_source)
    return f"§ {found.group(1)}" if found else legal_source


def _duties() -> tuple[Duty | CollaborationDuty, ...]:
    """The duties on My day: Barnets Lov's computed ones, then the municipality's collaboration duties."""
    return (*default_duties().computed, *default_collaboration_duties().duties)


def duty_choices(language: str) -> list[tuple[str, str]]:
    """``(duty id, name)`` of the duties on My day, in the rule files' order."""
    return [(d.id, d.name(language)) for d in _duties()]


def source_choices(language: str = "da") -> list[tuple[str, str]]:
    """``(paragraph, "Barnets Lov <paragraph>")`` of the law's computed duties, once each, then
    ``(source, source in the language)`` of each collaboration duty (a municipal rule, no section)."""
    seen: dict[str, str] = {}
    for d in default_duties().computed:
        seen.setdefault(paragraph(d.legal_source), f"Barnets Lov {paragraph(d.legal_source)}")
    for c in default_collaboration_duties().duties:
        seen.setdefault(c.legal_source, c.source(language))
    return list(seen.items())


def _current(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on}))


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Whose duties: the children (id -> name), their caseworker post (child id -> post id) and
    the posts' names (post id -> username); ``team`` when a team leader looks at the team."""

    children: dict[int, str]
    post_of: dict[int, int] = field(default_factory=dict)
    posts: dict[int, str] = field(default_factory=dict)
    team: bool = False


def my_day_scope(user: object, *, on: dt.date, caseload: list[m.Child] | None = None) -> Scope:
    """A caseworker's own current children (``caseload``, when the caller has read it already);
    a team leader's team's (posts in the leader's team and districts, as on the team page);
    nobody else has a day of duties."""
    role = getattr(user, "role", None)
    if role == "caseworker":
        if caseload is not None:
            return Scope(children={c.pk: c.name for c in caseload})
        children = caseload_for_caseworker(user, on=on).values_list("pk", "name")
        return Scope(children=dict(children))
    if role != "teamleader" or getattr(user, "team", None) is None:
        return Scope(children={})
    posts = dict(m.Caseworker.objects.filter(_current(on), team=user.team,  # type: ignore[attr-defined]
                                             district__in=user.districts.all())  # type: ignore[attr-defined]
                 .values_list("pk", "user__username"))
    post_of = dict(m.Assignment.objects.filter(_current(on), caseworker_id__in=list(posts),
                                               child__district__in=user.districts.all())  # type: ignore[attr-defined]
                   .values_list("child_id", "caseworker_id"))
    names = dict(m.Child.objects.filter(pk__in=list(post_of)).values_list("pk", "name"))
    return Scope(children=names, post_of=post_of,
                 posts={pk: name or f"#{pk}" for pk, name in posts.items()}, team=True)


def grouped(items: pl.DataFrame, *, today: dt.date) -> pl.DataFrame:
    """``items`` (open deadlines) with a ``group`` column (:data:`GROUPS`) and ``paragraph``."""
    week_end = today + dt.timedelta(days=WEEK_DAYS)
    group = (pl.when(pl.col("status") == "overdue").then(pl.lit("overdue"))
             .when(pl.col("due_on") <= today).then(pl.lit("today"))
             .when(pl.col("due_on") <= week_end).then(pl.lit("week"))
             .otherwise(pl.lit("later")))
    sources = sorted({d.legal_source for d in _duties()})
    para = pl.col("legal_source").replace_strict(sources, [paragraph(s) for s in sources], default=None,
                                                 return_dtype=pl.String)
    return items.with_columns(group=group, paragraph=para)


def my_day_items(scope: Scope, *, now: dt.datetime, today: dt.date, child_id: int | None = None,
                 duty_id: str = "", source: str = "", caseworker_id: int | None = None) -> pl.DataFrame:
    """The scope's open duties, grouped, filtered, sorted overdue first then by due time."""
    ids = sorted(scope.children)
    if caseworker_id is not None:
        ids = [c for c in ids if scope.post_of.get(c) == caseworker_id]
    if child_id is not None:
        ids = [c for c in ids if c == child_id]
    if not ids:
        return pl.DataFrame()
    items = grouped(open_deadlines(ids, now=now), today=today)
    if duty_id:
        items = items.filter(pl.col("duty_id") == duty_id)
    if source:
        items = items.filter(pl.col("paragraph") == source)
    return items


def due_now_count(user: object, *, now: dt.datetime, today: dt.date) -> int:
    """Open duties overdue or due today in the user's My day (the navigation's count)."""
    items = my_day_items(my_day_scope(user, on=today), now=now, today=today)
    if not items.height:
        return 0
    return items.filter(pl.col("group").is_in(["overdue", "today"])).height


def children_in_care(user: object, children: QuerySet[m.Child], *, on: dt.date) -> QuerySet[m.Child]:
    """Of ``children``, those in the municipality's care on ``on``: a current assignment to a
    caseworker or a current step (not everyone who ever lived in the district, such as adults
    long out of care). A partner's linked children are theirs by the link and all stay."""
    if getattr(user, "role", None) == "partner":
        return children
    assigned = m.Assignment.objects.filter(_current(on)).values("child")
    stepped = m.Episode.objects.filter(_current(on)).values("child")
    return children.filter(Q(pk__in=assigned) | Q(pk__in=stepped))


PER_PAGE = 25
"""Rows per page in each group."""

NAV_COUNT_SECONDS = 300
"""How long the navigation's count of due duties is kept in the session before it is counted
again (My day itself always counts afresh)."""

NAV_COUNT_KEY = "trappen_my_day_due"


def my_day_groups(items: pl.DataFrame, scope: Scope, *, query: QueryDict, duty_names: dict[str, str],
                  per_page: int = PER_PAGE) -> list[dict[str, object]]:
    """One entry per group of :data:`GROUPS`: ``key``, ``count``, ``overdue``/``today`` totals
    and ``page``, a :class:`~django.core.paginator.Page` of display rows (page number from the
    GET parameter ``page_<group>``; other parameters kept in ``prev``/``next`` query strings).

    Rows are built for the shown page only: the duty's name, local due time, child, caseworker
    (team view), the fulfilling form's address and how many acts are missing.
    """
    out: list[dict[str, object]] = []
    sources = {d.id: label(d.id, "legal_source") for d in _duties()}  # once per page, not per row
    for key in GROUPS:
        part = items.filter(pl.col("group") == key) if items.height else items
        paginator = Paginator(range(part.height), per_page)
        page = paginator.get_page(query.get(f"page_{key}"))
        rows = []
        if part.height:
            shown = part.slice(page.start_index() - 1, len(page.object_list))
            for r in shown.iter_rows(named=True):
                post = scope.post_of.get(r["child_id"])
                rows.append({
                    "duty_id": r["duty_id"], "duty_name": duty_names.get(r["duty_id"], r["duty_id"]),
                    "status": r["status"], "overdue": r["overdue"], "count": r["count"],
                    "due_local": (due := timezone.localtime(r["due_at"])), "due_text": f"{due:%Y-%m-%d %H:%M}",
                    "legal_source": sources.get(r["duty_id"], r["legal_source"]),
                    "child_id": r["child_id"], "child": scope.children.get(r["child_id"], ""),
                    "child_url": url_for("child_detail", r["child_id"]),
                    "caseworker": scope.posts.get(post, "") if post is not None else "",
                    "url": fulfil_url(r["duty_id"], child_id=r["child_id"], ref_id=r["ref_id"]),
                })
        page.object_list = rows  # type: ignore[assignment]  # the shown rows replace the indices
        out.append({"key": key, "count": part.height, "page": page,
                    "prev": _page_query(query, key, page.previous_page_number()) if page.has_previous() else "",
                    "next": _page_query(query, key, page.next_page_number()) if page.has_next() else ""})
    return out


def _page_query(query: QueryDict, key: str, number: int) -> str:
    q = query.copy()
    q[f"page_{key}"] = str(number)
    return q.urlencode()


def nav_due_count(request: HttpRequest, *, refresh: int | None = None) -> int:
    """The count on the navigation's "My day" link, kept in the session for
    :data:`NAV_COUNT_SECONDS`; ``refresh`` stores a count just made (by My day itself)."""
    now = timezone.now()
    kept = request.session.get(NAV_COUNT_KEY) or [0, 0.0]  # [count, when]
    fresh = now.timestamp() - float(kept[1]) < NAV_COUNT_SECONDS
    if refresh is None:
        if fresh:
            return int(kept[0])
        refresh = due_now_count(request.user, now=now, today=timezone.localdate())
    elif fresh and int(kept[0]) == refresh:
        return refresh  # unchanged: no session write for it
    request.session[NAV_COUNT_KEY] = [refresh, now.timestamp()]
    return refresh
