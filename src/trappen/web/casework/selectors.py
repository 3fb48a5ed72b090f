"""Casework reads: a register of some children (for the deadline engine), My day, caseloads."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from typing import Any, cast

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Model, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from trappen.deadlines import (
    ACTION_SCHEMA,
    COPENHAGEN,
    MEETING_SCHEMA,
    collaboration_items,
    deadline_items,
    item_status,
)
from trappen.register import TABLES, Register
from trappen.register.schema import PROFESSIONAL_NOTIFIERS
from trappen.web import rules
from trappen.web.register import models as m
from trappen.web.register.selectors import _SNAPSHOT

DEADLINE_LOOKBACK_DAYS = 365
"""Items due more than a year ago are left out of My day: the demo register holds no events
before its window, so older recurring duties would show as overdue without being real."""

_CHILD_TABLES = ("children", "notifications", "investigations", "episodes", "plans",
                 "follow_ups", "supervision_visits", "complaints")


def caseload_target() -> float:
    """The municipality's caseload target (children per caseworker; trappen.web.rules.caseload)."""
    return rules.caseload().children_per_fte


def highest_steps(child_ids: list[int], *, on: dt.date) -> dict[int, int]:
    """Each child's highest active step on ``on`` (children with none are left out)."""
    return dict(m.Episode.objects.filter(_active(on), child_id__in=child_ids)
                .values("child_id").annotate(top=Max("step")).values_list("child_id", "top"))


def _narrowing(name: str, since: dt.date) -> Q:
    """The rows of table ``name`` that can still give an open or overdue deadline item due on or
    after ``since`` (see :func:`deadline_register_for_children`); every row of the other tables."""
    running = Q(end_date__isnull=True) | Q(end_date__gt=since)
    of_running = Q(episode__end_date__isnull=True) | Q(episode__end_date__gt=since)
    return {
        "notifications": Q(assessed_at__isnull=True)
        | Q(acknowledged_at__isnull=True, notifier_kind__in=sorted(PROFESSIONAL_NOTIFIERS)),
        "complaints": Q(reassessed_on__isnull=True),
        "episodes": running, "follow_ups": of_running, "supervision_visits": of_running,
    }.get(name, Q())


def _rows(name: str, *, child_ids: object, since: dt.date | None, read: list[str | Cast]) -> QuerySet[Model]:
    """Table ``name``'s rows of ``child_ids`` (narrowed to ``since`` when given), columns ``read``."""
    model, _fields = _SNAPSHOT[name]
    where = Q() if since is None else _narrowing(name, since)
    key = "pk__in" if name == "children" else "child_id__in"
    return (cast("type[Model]", model)._default_manager.filter(where, **{key: child_ids})
            .order_by("pk").values_list(*read))


def _temporal(name: str) -> set[str]:
    return {c for c, dtype in TABLES[name].schema.items() if dtype == pl.Date or isinstance(dtype, pl.Datetime)}


_IDS_MARK = "[-1]"
_SINCE_MARK = dt.date(1, 1, 1)
"""Stand-ins for the child ids and the look-back day in a read compiled once (:func:`_compiled_read`)."""

_IDS_SQL = {"sqlite": "SELECT value FROM json_each(%s)", "postgresql": "SELECT unnest(%s::bigint[])"}
"""The child ids as one parameter (a JSON list on SQLite, an array on PostgreSQL), as a subquery."""


@functools.cache
def _compiled_read(name: str, *, narrowed: bool, vendor: str) -> tuple[str, tuple[Any, ...]]:
    """Table ``name``'s read as Django compiles it, once per process: the SQL and its
    parameters with :data:`_IDS_MARK` (the child ids, one parameter) and the adapted
    :data:`_SINCE_MARK` where the values go. Compiling the eight queries took ten times longer
    than running them on a caseload (SQLite), and twice as long (PostgreSQL). On SQLite dates
    and timestamps are read as their stored ISO text (see :func:`_rows_frame`)."""
    _model, fields = _SNAPSHOT[name]
    temporal = _temporal(name) if vendor == "sqlite" else set()
    read: list[str | Cast] = [Cast(f, TextField()) if c in temporal else f
                              for c, f in zip(TABLES[name].schema, fields, strict=True)]
    ids = RawSQL(_IDS_SQL[vendor], [_IDS_MARK])
    sql, params = _rows(name, child_ids=ids, since=_SINCE_MARK if narrowed else None,
                        read=read).query.sql_with_params()
    if list(params).count(_IDS_MARK) != 1:  # the compiled query must take the ids as given
        raise RuntimeError(f"cannot find the child ids among the parameters of the {name} read")
    return sql, tuple(params)


def _table_rows(name: str, *, child_ids: list[int], since: dt.date | None = None) -> list[tuple[Any, ...]]:
    """The register table ``name``'s rows (its ``_SNAPSHOT`` columns, in primary-key order) of
    the children ``child_ids``, narrowed to ``since`` when given (:func:`_narrowing`), as the
    database driver gives them (:func:`_rows_frame` makes them a frame).

    The query is compiled once per process (:func:`_compiled_read`) and the ids go to the
    database as one parameter (Django would check and convert each id of an ``IN`` list in
    Python). On SQLite, dates and timestamps are read as their stored ISO text, for Polars to
    parse in one vectorised step (Django would parse each value in Python); PostgreSQL's driver
    hands over date objects without that cost.
    """
    vendor = connection.vendor
    if vendor not in _IDS_SQL:  # another database: the ORM's read
        return list(_rows(name, child_ids=child_ids, since=since, read=list(_SNAPSHOT[name][1])))  # type: ignore[arg-type]  # values_list rows
    sql, marked = _compiled_read(name, narrowed=since is not None, vendor=vendor)
    since_mark = connection.ops.adapt_datefield_value(_SINCE_MARK)
    numbers = [int(c) for c in child_ids]
    ids: Any = json.dumps(numbers) if vendor == "sqlite" else numbers
    params = [ids if p == _IDS_MARK else connection.ops.adapt_datefield_value(since) if p == since_mark else p
              for p in marked]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rows_frame(name: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Rows of :func:`_table_rows` as the register table ``name``."""
    schema = TABLES[name].schema
    if connection.vendor != "sqlite":
        return pl.DataFrame(rows, schema=schema, orient="row")
    temporal = _temporal(name)
    text = pl.DataFrame(rows, orient="row", schema={c: pl.String if c in temporal else d for c, d in schema.items()})
    # Django stores a SQLite timestamp as naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]" (%.f: the
    # fraction is optional) and a date as "YYYY-MM-DD".
    return text.with_columns(
        pl.col(c).str.to_date("%Y-%m-%d") if schema[c] == pl.Date
        else pl.col(c).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", time_zone="UTC")
        for c in temporal)


def _table_frame(name: str, *, child_ids: list[int], since: dt.date | None = None) -> pl.DataFrame:
    """:func:`_table_rows` as the register table ``name``."""
    return _rows_frame(name, _table_rows(name, child_ids=child_ids, since=since))


def register_for_children(child_ids: list[int]) -> Register:
    """The analytic register cut to ``child_ids``: one filtered query per child table.

    Same columns as the foundation's ``register_snapshot`` (pseudonymous), so the cost grows
    with these children's records, not with the municipality.
    """
    frames = {name: _table_frame(name, child_ids=child_ids) for name in _CHILD_TABLES}
    return Register.from_frames(meta={"source": "operational database"}, **frames)


def deadline_register_for_children(child_ids: list[int], *, since: dt.date) -> Register:
    """:func:`register_for_children` narrowed to the records that can still give an open or
    overdue deadline item due on or after ``since``; the deadline engine
    (``trappen.deadlines._engine``) gives these children the same open and overdue items from
    it as from the whole register, from a fraction of the rows:

    - notifications not yet assessed (D1) or, from a professional, not yet acknowledged (D2);
      each notification's items depend on that notification alone;
    - complaints not yet re-assessed (D16), likewise;
    - episodes running after ``since`` (end_date null or later): an ended measure's plan,
      follow-up, supervision and ungeplan items (D8-D12, D14) all fall due before its end;
      and the follow-ups and supervision visits of those episodes (matched per episode);
    - every investigation (D6, and an open investigation moves a measure's first follow-up,
      D10), plan (matched to episodes by child) and child.
    """
    frames = {name: _table_frame(name, child_ids=child_ids, since=since) for name in _CHILD_TABLES}
    return Register.from_frames(meta={"source": "operational database"}, **frames)


def _active(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on}))


def caseworker_child_ids(caseworker_ids: list[int], *, on: dt.date) -> dict[int, list[int]]:
    """Current children per caseworker post."""
    out: dict[int, list[int]] = {cw: [] for cw in caseworker_ids}
    for cw, child in (m.Assignment.objects.filter(_active(on), caseworker_id__in=caseworker_ids)
                      .values_list("caseworker_id", "child_id").order_by("child_id")):
        out[cw].append(child)
    return out


_ITEMS_KEPT = 512
"""Deadline items kept per process (:func:`open_deadlines`): a few hundred caseloads and cases."""
_items_lock = threading.Lock()
_items_kept: OrderedDict[bytes, pl.DataFrame] = OrderedDict()


def open_deadlines(child_ids: list[int], *, now: dt.datetime) -> pl.DataFrame:
    """Not-done deadline items (open or overdue) of these children, overdue first, then by due time.

    One row per duty, record and due time: the engine gives a duty that needs several acts by
    the same day one item each (two supervision visits in a placement year are both due on its
    last day, § 156 stk. 5); a to-do list shows it once, with ``count`` acts still missing.

    Besides the duties of Barnets Lov it gives the municipality's collaboration duties (agreed
    actions, C1; a meeting at the interval ``TRAPPEN_MEETING_CADENCE_MONTHS``, C2:
    ``trappen.deadlines.collaboration_items``).

    The items are a function of the records read (:func:`deadline_register_for_children`, the
    children's actions and meetings), the interval and the local day alone; only their status
    moves with the time of day (``item_status``). So they are kept per process under a digest
    of exactly those inputs, and reused while they are unchanged: any write to the children's
    records changes the digest.
    """
    since = now.date() - dt.timedelta(days=DEADLINE_LOOKBACK_DAYS)
    rows = {name: _table_rows(name, child_ids=child_ids, since=since) for name in _CHILD_TABLES}
    collaboration = _collaboration_rows(child_ids)
    cadence = settings.TRAPPEN_MEETING_CADENCE_MONTHS
    key = hashlib.blake2b(pickle.dumps((rows, collaboration, cadence, now.astimezone(COPENHAGEN).date(), since,
                                        connection.vendor)), digest_size=20).digest()
    with _items_lock:
        items = _items_kept.get(key)
        if items is not None:
            _items_kept.move_to_end(key)
    if items is None:
        frames = {name: _rows_frame(name, found) for name, found in rows.items()}
        register = Register.from_frames(meta={"source": "operational database"}, **frames)
        actions, meetings = (pl.DataFrame(found, schema=schema, orient="row")
                             for found, schema in zip(collaboration, (ACTION_SCHEMA, MEETING_SCHEMA), strict=True))
        items = pl.concat([
            deadline_items(register, now=now, since=since),
            collaboration_items(actions=actions, meetings=meetings, episodes=register.episodes, now=now,
                                months=cadence, since=since)]).sort("due_at", "duty_id", "ref_id", "seq")
        with _items_lock:
            _items_kept[key] = items
            while len(_items_kept) > _ITEMS_KEPT:
                _items_kept.popitem(last=False)
    return _open(items.with_columns(status=item_status(now)))


def _collaboration_rows(child_ids: list[int]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The children's agreed actions and meetings (trappen.web.collaboration), in the columns of
    the collaboration duties' ``ACTION_SCHEMA`` and ``MEETING_SCHEMA``."""
    from trappen.web.collaboration.models import Action, Meeting

    actions = Action.objects.filter(child_id__in=child_ids).order_by("pk").values_list(
        "pk", "meeting_id", "child_id", "due_on", "status", "done_on")
    meetings = Meeting.objects.filter(child_id__in=child_ids).order_by("pk").values_list(
        "pk", "child_id", "kind", "held_on")
    return list(actions), list(meetings)


def open_items(register: Register, *, now: dt.datetime, since: dt.date) -> pl.DataFrame:
    """The deadline engine's not-done items of ``register`` due from ``since``, one row per duty,
    record and due time (:func:`open_deadlines`)."""
    return _open(deadline_items(register, now=now, since=since))


def _open(items: pl.DataFrame) -> pl.DataFrame:
    keys = ["duty_id", "child_id", "ref_table", "ref_id", "due_on", "due_at", "status", "legal_source"]
    return (items.filter(pl.col("status").is_in(["open", "overdue"]))
            .group_by(keys, maintain_order=True)
            .agg(seq=pl.col("seq").min(), done_at=pl.col("done_at").first(), count=pl.len())
            .with_columns(overdue=pl.col("status") == "overdue")
            .sort(["overdue", "due_at"], descending=[True, False]))


def team_caseloads(user: object, *, now: dt.datetime, on: dt.date) -> list[dict[str, object]]:
    """Caseload per caseworker post in the leader's team vs target, with open and overdue items.

    A team leader sees their own team; an administrator every post. Caseworkers not in the
    leader's districts are never listed.
    """
    posts: QuerySet[m.Caseworker] = m.Caseworker.objects.filter(_active(on)).select_related("user")
    if getattr(user, "role", None) == "teamleader":
        if getattr(user, "team", None) is None:
            return []
        posts = posts.filter(team=user.team,  # type: ignore[attr-defined]
                             district__in=user.districts.all())  # type: ignore[attr-defined]
    elif getattr(user, "role", None) != "admin":
        return []
    posts = posts.annotate(children=Count("assignment", filter=_active(on, "assignment__"))).order_by("pk")
    posts = list(posts)
    per_post = caseworker_child_ids([p.pk for p in posts], on=on)
    all_ids = sorted({c for ids in per_post.values() for c in ids})
    items = open_deadlines(all_ids, now=now) if all_ids else None
    weights = rules.caseload()
    target = weights.children_per_fte
    steps = highest_steps(all_ids, on=on) if all_ids else {}
    rows = []
    if items is not None:
        child_to_post = pl.DataFrame({"child_id": [c for ids in per_post.values() for c in ids],
                                      "caseworker_id": [p for p, ids in per_post.items() for _ in ids]},
                                     schema={"child_id": pl.Int64, "caseworker_id": pl.Int64})
        counts = (items.join(child_to_post, on="child_id")
                  .group_by("caseworker_id")
                  .agg(open=pl.len(), overdue=pl.col("overdue").sum()))
        by_post = {r["caseworker_id"]: r for r in counts.iter_rows(named=True)}
    else:
        by_post = {}
    for p in posts:
        c = by_post.get(p.pk, {})
        rows.append({"caseworker": p, "username": p.user.username if p.user else f"#{p.pk}",
                     "children": p.children, "target": target, "over": p.children > target,
                     "weighted": weights.weighted_count([steps.get(c) for c in per_post[p.pk]]),
                     "open": int(c.get("open", 0)), "overdue": int(c.get("overdue", 0))})
    return rows



def casework_timeline(child: m.Child) -> list[dict[str, object]]:
    """Every casework record of one child, newest first: ``{"on": date, "kind": str,
    "kind_label": str, "text": str, "detail": str}`` in the active language (labels, never
    codes). Includes the operational-only child conversations and plan goals."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from trappen.web.labels import episode_label, label

    rows: list[dict[str, object]] = []

    def add(on: dt.date, kind: str, text: str, detail: str = "") -> None:
        rows.append({"on": on, "kind": kind, "kind_label": label(kind, "event"), "text": text, "detail": detail})

    episodes = {e.pk: e for e in child.episodes.all()}

    def of_episode(episode_id: int) -> str:
        e = episodes.get(episode_id)
        return episode_label(e) if e is not None else ""

    for n in child.notifications.all():
        add(timezone.localtime(n.received_at).date(), "notification", label(n.notifier_kind, "notifier"),
            label(n.outcome, "outcome") if n.assessed_at else "")
    for i in child.investigations.all():
        add(i.started_on, "investigation", _("started"))
        if i.concluded_on:
            add(i.concluded_on, "investigation", _("concluded"))
    for e in episodes.values():
        add(e.start_date, "intervention", _("%(intervention)s started") % {"intervention": episode_label(e)})
        if e.end_date:
            add(e.end_date, "breakdown" if e.end_reason == "breakdown" else "intervention",
                _("%(intervention)s ended: %(reason)s") % {"intervention": episode_label(e),
                                                           "reason": label(e.end_reason, "end_reason")},
                e.breakdown_reason)
    for fu in child.follow_ups.all():
        add(fu.held_on, "follow_up", of_episode(fu.episode_id))
    for v in child.supervision_visits.all():
        add(v.visited_on, "supervision_visit", of_episode(v.episode_id))
    for c in child.conversations.all():
        add(c.held_on, "child_conversation", label(c.kind, "conversation"), c.notes)
    for p in child.plans.all():
        add(p.made_on, "plan", _("%(n)s goal(s)") % {"n": len(p.goals or [])}, "; ".join(p.goals or []))
    for r in m.PlanRevision.objects.filter(plan__child=child):
        add(timezone.localtime(r.replaced_at).date(), "plan_revision",
            _("earlier version of %(made_on)s") % {"made_on": r.made_on.isoformat()}, "; ".join(r.goals or []))
    for a in m.AssessmentRevision.objects.filter(notification__child=child):
        add(timezone.localtime(a.replaced_at).date(), "assessment_revision", _("earlier assessment"),
            f"{timezone.localtime(a.assessed_at):%Y-%m-%d %H:%M}: {label(a.outcome, 'outcome')}")
    for cl in child.closures.all():
        add(cl.closed_on, "case_closed", "", cl.reason)
        if cl.reopened_at:
            add(timezone.localtime(cl.reopened_at).date(), "case_reopened", "", cl.reopen_reason)
    for complaint in child.complaints.all():
        add(complaint.received_on, "complaint", _("received"))
        if complaint.reassessed_on:
            upheld = {True: _("decision kept"), False: _("decision changed"), None: ""}[complaint.municipality_upheld]
            add(complaint.reassessed_on, "complaint", _("re-assessed: %(result)s") % {"result": upheld},
                _("Appeals board: %(outcome)s") % {"outcome": label(complaint.appeals_outcome, "appeals_outcome")}
                if complaint.appeals_outcome else "")
    rows.sort(key=lambda r: (r["on"], r["kind"]), reverse=True)
    return rows


def case_closure(child: m.Child) -> m.CaseClosure | None:
    """The child's closure in force (not reopened), or ``None`` when the case is open."""
    return m.CaseClosure.objects.filter(child=child, reopened_at=None).first()


def notifications_sent_by(user: object) -> QuerySet[m.Notification]:
    """The notifications ``user`` sent through the duty-to-notify form, newest first: only the
    receipt fields (number, time, notifier kind, acknowledged), never the child or assessment."""
    return (m.Notification.objects.filter(submitted_by=user).order_by("-received_at")
            .only("pk", "received_at", "notifier_kind", "acknowledged_at"))


def episode_to_end_on_step_up(child: m.Child, *, on: dt.date) -> m.Episode | None:
    """The intervention a step-up would replace: the running one on the highest step on ``on``."""
    return (m.Episode.objects.filter(_active(on), child=child)
            .order_by("-step", "-start_date", "-pk").first())


def _reason_text(why: str) -> str:
    """A step-up reason as the page shows it: the fixed marker of a lower step with no free place
    (``trappen.offers.NO_FREE_PLACE_REASON``, kept as stored for the counts) in words."""
    from django.utils.translation import gettext as _

    from trappen.offers import NO_FREE_PLACE_REASON

    if not why.startswith(NO_FREE_PLACE_REASON):
        return why
    return _("Not available: no free place") + why[len(NO_FREE_PLACE_REASON):]


CASE_PAGE_RECORDS = (
    "episodes", "notifications", "investigations", "plans", "supervision_visits", "conversations",
    "closures", "complaints",
    Prefetch("follow_ups", queryset=m.FollowUp.objects.select_related("episode")))
"""The child's records the case page reads, for ``prefetch_related``: each table read once,
not once per section."""


def child_case_page(child: m.Child, *, now: dt.datetime, today: dt.date) -> dict[str, object]:
    """Everything the caseworker's case page shows, in the order it shows it: the current step
    and plan goals, open deadlines (overdue first), the step timeline, notifications with the
    concern, investigations with their 4-month clock, interventions with their step-up
    justification (lower steps, in order), follow-ups and the casework timeline. Deadline rows
    carry ``due_local`` (the due time in local time)."""
    from django.utils import timezone

    items = open_deadlines([child.pk], now=now)
    # ``child.<records>.all()``: prefetched by the page (CASE_PAGE_RECORDS), else a query each
    due = {(r["ref_table"], r["ref_id"], r["duty_id"]): timezone.localtime(r["due_at"])
           for r in items.iter_rows(named=True) if r["seq"] == 1}
    deadlines = [r | {"due_local": timezone.localtime(r["due_at"]) if r["due_at"] is not None else None}
                 for r in items.iter_rows(named=True)]
    episodes = sorted(child.episodes.all(), key=lambda e: (e.start_date, e.pk), reverse=True)
    episode_rows = [{"e": e, "running": e.start_date <= today and (e.end_date is None or e.end_date > today),
                     "justification": sorted(((int(s), _reason_text(why))
                                              for s, why in (e.justification or {}).items()),
                                             key=lambda pair: pair[0])}
                    for e in episodes]
    plan = max(child.plans.all(), key=lambda p: (p.made_on, p.pk), default=None)
    return {
        "deadlines": deadlines,
        "plan": plan,
        "notifications": [{"n": n, "due": due.get(("notifications", n.pk, "D1"))}
                          for n in sorted(child.notifications.all(), key=lambda n: n.received_at, reverse=True)],
        "investigations": [{"i": i, "due": due.get(("investigations", i.pk, "D6"))}
                           for i in sorted(child.investigations.all(), key=lambda i: i.started_on, reverse=True)],
        "episodes": episode_rows,
        "follow_ups": sorted(child.follow_ups.all(), key=lambda f: f.held_on, reverse=True),
        "timeline": casework_timeline(child),
        "closure": case_closure(child),
    }
