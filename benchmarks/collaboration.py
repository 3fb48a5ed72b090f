"""Server time of the partner's My day with 200 linked children and of the team leader's
collaboration overview (dashboard) on the 20,000-child demo.

Builds the demo municipality (synthetic, seeded, history up to today) in a throw-away SQLite
database with the demo users and the demo's collaboration data
(:func:`trappen.web.collaboration.demo.demo_collaboration_load`), then adds a partner acting for a
school with exactly 200 linked children (both custody holders' consent for 150, a legal basis for
25, nothing for 25; a meeting with two agreed actions for the teacher for 100), and times
GET /collaboration/ for that partner, /collaboration/children/<id>/ for one of their children,
and /collaboration/overview/ for the demo team leader, through Django's test client (no
network: queries, the sharing check per child, template). Each page is requested once before
timing. Prints wall-clock and CPU time per request; asserts nothing on time.

    .venv/bin/python benchmarks/collaboration.py [--children 20000] [--years 10] [--repeats 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time


def _time(client: object, path: str, repeats: int) -> tuple[list[float], list[float], object]:
    resp = client.get(path)  # type: ignore[attr-defined]  # warm-up, not timed
    assert resp.status_code == 200, (path, resp.status_code)
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        resp = client.get(path)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert resp.status_code == 200, (path, resp.status_code)
    return times, cpu, resp


def _ms(times: list[float], cpu: list[float]) -> str:
    return (f"server time median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms over {len(times)} requests; "
            f"CPU median {statistics.median(cpu) * 1000:.0f} ms")


def _bench_partner(today: dt.date) -> tuple[object, int]:
    """A partner acting for a new school with 200 linked children of the demo register."""
    from django.contrib.auth import get_user_model

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
    return user, len(children)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="trappen-collab-")
    os.environ["TRAPPEN_DEMO"] = "1"
    os.environ["TRAPPEN_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from trappen.synthetic import generate
    from trappen.web.accounts.services import demo_database_replace
    from trappen.web.collaboration.demo import demo_collaboration_load
    from trappen.web.collaboration.models import ChildLink, Organisation

    call_command("migrate", interactive=False, verbosity=0)
    today = timezone.localdate()
    t = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=1, end_date=today,
                        pilot_districts=3, pilot_from=2021)
    counts, _logins = demo_database_replace(register, seed=1)
    collab = demo_collaboration_load(seed=1)
    print(f"demo built: {counts['children']:,} children, {counts['episodes']:,} episodes up to {today} "
          f"in {time.perf_counter() - t:.1f} s; collaboration {collab}", flush=True)
    partner, linked = _bench_partner(today)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(partner)
    times, cpu, resp = _time(client, "/collaboration/", args.repeats)
    print(f"Partner My day: {linked} linked children (150 consent, 25 legal basis, 25 none), "
          f"200 open actions, page {len(resp.content) // 1024} KiB; {_ms(times, cpu)}", flush=True)
    child = ChildLink.objects.filter(organisation__code="BENCH-1").order_by("child_id").first()
    times, cpu, resp = _time(client, f"/collaboration/children/{child.child_id}/", args.repeats)
    print(f"Partner child page: {_ms(times, cpu)}", flush=True)
    leader = get_user_model().objects.get(username="teamleader")
    client.force_login(leader)
    orgs = Organisation.objects.filter(district__in=leader.districts.all(), kind__in=("school", "daycare")).count()
    times, cpu, resp = _time(client, "/collaboration/overview/", args.repeats)
    print(f"Collaboration overview (team leader, {orgs} schools and daycares, KPIs over the districts): "
          f"page {len(resp.content) // 1024} KiB; {_ms(times, cpu)}", flush=True)


if __name__ == "__main__":
    main()
