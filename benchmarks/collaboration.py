"""Server time of the partner's My day with 200 linked children and of the team leader's
collaboration overview (dashboard) on the 20,000-child demo.

Builds the demo municipality (synthetic, seeded, history up to today) in a throw-away SQLite
database with the demo users and the demo's collaboration data
(:func:`trappen.web.collaboration.demo.demo_collaboration_load`), then adds a partner acting for a
school with exactly 200 linked children (both custody holders' consent for 150, a legal basis for
25, nothing for 25; a meeting with two agreed actions for the teacher and its minutes sent to
the school for 100), and times
GET /collaboration/ for that partner, /collaboration/children/<id>/ for one of their children,
and /collaboration/overview/ for the demo team leader, through Django's test client (no
network: queries, the sharing check per child, template). Each page is requested once before
timing. Prints wall-clock and CPU time per request; asserts nothing on time.

    .venv/bin/python benchmarks/collaboration.py [--children 20000] [--years 10] [--repeats 9]
"""

from __future__ import annotations

import datetime as dt

from _demo import demo_arguments, demo_build, demo_line, django_start, ms, timed_get


def _ms(times: list[float], cpu: list[float]) -> str:
    return f"server time {ms(times, cpu)}"


def _bench_partner(today: dt.date) -> tuple[object, int]:
    """A partner acting for a new school with 200 linked children of the demo register."""
    from django.contrib.auth import get_user_model

    from trappen.web.collaboration.minutes import minutes_dispatch
    from trappen.web.collaboration.models import (
        Action,
        ChildLink,
        Consent,
        Meeting,
        Membership,
        Organisation,
        Participant,
        SharingBasis,
    )
    from trappen.web.register.models import Child

    school = Organisation.objects.create(code="BENCH-1", name="Benchmark Skole", kind="school")
    user = get_user_model().objects.create_user(username="bench_partner", password="x", role="partner")
    Membership.objects.create(user=user, organisation=school, start_date=dt.date(2020, 1, 1))
    born_after = today.replace(year=today.year - 16)
    children = list(Child.objects.filter(birth_date__gt=born_after, birth_date__lt=today.replace(year=today.year - 6))
                    .order_by("pk").values_list("pk", flat=True)[:200])
    ChildLink.objects.bulk_create([ChildLink(child_id=c, organisation=school, start_date=dt.date(2024, 8, 1))
                                   for c in children])
    for i, c in enumerate(children):
        if i < 150:
            for giver in ("custody_holder_1", "custody_holder_2"):
                consent = Consent.objects.create(child_id=c, giver=giver, purpose="Skole",
                                                 field_groups=["identity", "step", "meetings", "actions"],
                                                 valid_from=today - dt.timedelta(days=30))
                consent.organisations.add(school)
        elif i < 175:
            SharingBasis.objects.create(child_id=c, organisation=school, basis="early_preventive_exchange",
                                        reason="Tidlig indsats", valid_from=today - dt.timedelta(days=30))
        if i < 100:
            meeting = Meeting.objects.create(child_id=c, kind="cross_disciplinary",
                                             held_on=today + dt.timedelta(days=i % 20))
            Participant.objects.create(meeting=meeting, kind="partner", organisation=school)
            for k in range(2):
                Action.objects.create(meeting=meeting, child_id=c, text=f"Handling {k}", owner=user,
                                      owner_kind="partner", due_on=today + dt.timedelta(days=i % 30 - 5))
            meeting.decisions = "Skolen og familien mødes hver 14. dag"
            meeting.save(update_fields=["decisions"])
            minutes_dispatch(actor=None, meeting=meeting)  # the school's copy of the minutes
    return user, len(children)


def main() -> None:
    args = demo_arguments()
    django_start("trappen-collab-")
    from django.contrib.auth import get_user_model
    from django.test import Client

    from trappen.web.collaboration.demo import demo_collaboration_load
    from trappen.web.collaboration.models import ChildLink, Organisation

    today, counts, _logins, seconds = demo_build(children=args.children, years=args.years)
    collab = demo_collaboration_load(seed=1)
    print(f"{demo_line(today, counts, seconds)}; collaboration {collab}", flush=True)
    partner, linked = _bench_partner(today)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(partner)
    times, cpu, resp = timed_get(client, "/collaboration/", args.repeats)
    print(f"Partner My day: {linked} linked children (150 consent, 25 legal basis, 25 none), "
          f"200 open actions, 100 sets of minutes, page {len(resp.content) // 1024} KiB; {_ms(times, cpu)}", flush=True)
    child = ChildLink.objects.filter(organisation__code="BENCH-1").order_by("child_id").first()
    times, cpu, resp = timed_get(client, f"/collaboration/children/{child.child_id}/", args.repeats)
    print(f"Partner child page: {_ms(times, cpu)}", flush=True)
    leader = get_user_model().objects.get(username="teamleader")
    client.force_login(leader)
    orgs = Organisation.objects.filter(district__in=leader.districts.all(), kind__in=("school", "daycare")).count()
    times, cpu, resp = timed_get(client, "/collaboration/overview/", args.repeats)
    print(f"Collaboration overview (team leader, {orgs} schools and daycares, KPIs over the districts): "
          f"page {len(resp.content) // 1024} KiB; {_ms(times, cpu)}", flush=True)


if __name__ == "__main__":
    main()
