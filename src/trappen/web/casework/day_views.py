"""The working day's pages: My day (grouped, filtered, paged duties) and the team page
(caseloads against the target, by month, and reassigning several children at once)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trappen.errors import InvalidInput
from trappen.privacy.roles import permission
from trappen.web import rules
from trappen.web.approvals.selectors import approvals_my_day
from trappen.web.audit.services import audit_list
from trappen.web.casework import caseloads as cl
from trappen.web.casework import forms as f
from trappen.web.casework import my_day as day
from trappen.web.casework import selectors as sel
from trappen.web.casework import services as svc
from trappen.web.collaboration.selectors import my_day_actions
from trappen.web.register.selectors import caseload_for_caseworker
from trappen.web.urlbuild import url_for


def _step_names() -> dict[int, str]:
    language = (get_language() or "da")[:2]
    return {s.number: s.name(language) for s in rules.staircase().steps}


@login_required
def my_day_page(request: HttpRequest) -> HttpResponse:
    """Open duties grouped by urgency, filtered by GET parameters, paged, each linked to the
    form that fulfils it; a team leader sees the team's duties with the caseworker's name."""
    now, today = timezone.now(), timezone.localdate()
    language = (get_language() or "da")[:2]
    caseload = (list(caseload_for_caseworker(request.user, on=today))
                if getattr(request.user, "role", None) == "caseworker" else None)
    scope = day.my_day_scope(request.user, on=today, caseload=caseload)
    form = f.MyDayFilterForm(
        request.GET or None,
        children=sorted(scope.children.items(), key=lambda c: (c[1], c[0])),
        duties=day.duty_choices(language), sources=day.source_choices(language),
        caseworkers=sorted(scope.posts.items(), key=lambda p: p[1]) if scope.team else None)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = day.my_day_items(scope, now=now, today=today, child_id=chosen.get("child"),
                             duty_id=chosen.get("duty") or "", source=chosen.get("source") or "",
                             caseworker_id=chosen.get("caseworker"))
    groups = day.my_day_groups(items, scope, query=request.GET, duty_names=dict(day.duty_choices(language)))
    due_now = sum(int(g["count"]) for g in groups if g["key"] in ("overdue", "today"))  # type: ignore[call-overload]
    if not chosen.get("child") and not chosen.get("duty") and not chosen.get("source") \
            and not chosen.get("caseworker"):
        day.nav_due_count(request, refresh=due_now)
    children: list[dict[str, object]] = []
    if not scope.team:
        steps = _step_names()
        for c in caseload or []:
            step = int(getattr(c, "current_step", 0) or 0)
            children.append({"child": c, "step": step, "step_name": steps.get(step, ""),
                             "url": url_for("child_detail", c.pk)})
    # one audit row: every child the page names (the filter's list, the caseload, the duties)
    audit_list(actor=request.user, endpoint="my_day",
               child_ids=sorted(set(scope.children) | {c["child"].pk for c in children}))  # type: ignore[attr-defined]
    return render(request, "casework/my_day.html", {
        "form": form, "filters": [(field, f.options_html(field)) for field in form],
        "groups": groups, "team": scope.team, "children": children,
        "deadlines": [r for g in groups for r in g["page"].object_list],  # type: ignore[attr-defined]
        "overdue": groups[0]["count"], "due_now": due_now, "now": now,
        "approvals": approvals_my_day(request.user),  # a team leader's pending approvals (trappen.web.approvals)
        "collab_actions": my_day_actions(request.user),  # agreed actions the user owns (trappen.web.collaboration)
    }, status=400 if form.errors else 200)


def _team(request: HttpRequest) -> list[dict[str, object]]:
    if permission(getattr(request.user, "role", "") or "", "caseload", "reassign") is None:
        raise Http404("not a team leader")  # caseload/reassign (permissions.toml): the team leader's page
    return sel.team_caseloads(request.user, now=timezone.now(), on=timezone.localdate())


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    """Team leader: caseload and weighted caseload per caseworker vs target, by month over the
    last year, and one form to move several children to one caseworker (a confirmation step
    first when that takes the caseworker above the target)."""
    rows = _team(request)
    today = timezone.localdate()
    target = sel.caseload_target()
    posts = {r["caseworker"].pk: r for r in rows}  # type: ignore[attr-defined]
    loads = {p: cast(int, r["children"]) for p, r in posts.items()}
    children = cl.team_children(list(posts), on=today)
    names = {p: str(r["username"]) for p, r in posts.items()}
    form = f.TeamReassignForm(
        request.POST or None, initial={"on": today},
        children=[(child, f"{name} ({names.get(post, '')})") for child, name, post in children],
        caseworkers=[(p, f"{names[p]} ({loads[p]})") for p in posts])
    confirm = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        post_of = {child: post for child, _name, post in children}
        after = cl.caseloads_after(loads, moving={c: post_of[c] for c in d["children"]}, target_post=d["caseworker_id"])
        if after[d["caseworker_id"]] > target and not d["confirmed"]:
            confirm = {"caseworker": names[d["caseworker_id"]], "children": after[d["caseworker_id"]],
                       "moving": len(d["children"])}
            data = request.POST.copy()
            data["confirmed"] = "on"
            form.data = data
        else:
            try:
                moved = svc.children_reassign(actor=request.user, child_ids=d["children"],
                                              caseworker_id=d["caseworker_id"], on=d["on"])
            except InvalidInput as exc:
                for problem in exc.problems:
                    field = problem.field if problem.field in form.fields else None
                    form.add_error(field, f"{problem.message} ({problem.value})")
            else:
                messages.success(request, _("%(n)s children reassigned to %(name)s; the previous "
                                            "assignments are kept in the history.")
                                 % {"n": len(moved), "name": names[d["caseworker_id"]]})
                return redirect("team")
    days, by_month = cl.caseloads_by_month(list(posts), today=today)
    audit_list(actor=request.user, endpoint="team", child_ids=[child for child, _name, _post in children])
    return render(request, "casework/team.html", {
        "rows": rows, "target": target, "over": sum(1 for r in rows if r["over"]),
        "form": form, "confirm": confirm,
        "children_options": f.options_html(form["children"]),
        "months": days, "by_month": [{"username": names[p], "counts": [
            {"n": n, "over": n > target} for n in by_month[p]]} for p in posts],
    }, status=422 if form.errors else 200)
