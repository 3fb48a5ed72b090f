"""Server time of My day, the team page and the child's case page on the 20,000-child demo, as
the demo builds it.

Builds the demo municipality (synthetic, seeded, history up to today) in a throw-away SQLite
database with the demo's own users (``demo_users_create``: the caseworker with about 25
children, the team leader with the team of caseworker logins), then times GET /my-day/ for the
caseworker and for the team leader (the team's duties), /team/, and /children/<id>/ (the case
page) for the demo caseworker's child with the most records, through Django's test client (no
network: queries, deadline engine, template). Each page is requested once before timing (the
first request loads rule files and templates). Prints wall-clock and CPU time per request (CPU
time of this process, all threads: on a shared machine it moves less with the others' load
than wall-clock time); asserts nothing on time.

    .venv/bin/python benchmarks/my_day.py [--children 20000] [--years 10] [--repeats 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def _time(client: object, path: str, repeats: int) -> tuple[list[float], list[float], object]:
    """Wall-clock and CPU seconds of ``repeats`` warm GETs of ``path``, and the last response."""
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


def _ms(times: list[float]) -> str:
    return (f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms over {len(times)} requests")


def _cpu(cpu: list[float]) -> str:
    return f"CPU median {statistics.median(cpu) * 1000:.0f} ms, min {min(cpu) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="trappen-myday-")
    os.environ["TRAPPEN_DEMO"] = "1"
    os.environ["TRAPPEN_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from trappen.synthetic import generate
    from trappen.web.accounts.services import demo_database_replace
    from trappen.web.casework.my_day import my_day_items, my_day_scope
    from trappen.web.register.models import Child

    call_command("migrate", interactive=False, verbosity=0)
    today = timezone.localdate()
    t = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=1, end_date=today,
                        pilot_districts=3, pilot_from=2021)
    counts, logins = demo_database_replace(register, seed=1)
    print(f"demo built: {counts['children']:,} children, {counts['episodes']:,} episodes up to {today} "
          f"in {time.perf_counter() - t:.1f} s; {len(logins)} demo logins", flush=True)
    users = get_user_model().objects
    client = Client(HTTP_HOST="127.0.0.1")
    # the caseworker's child with the most records: the case page's heaviest ordinary case
    child = (Child.objects.filter(pk__in=list(my_day_scope(users.get(username="caseworker"), on=today).children))
             .annotate(records=Count("notifications", distinct=True) + Count("episodes", distinct=True)
                       + Count("follow_ups", distinct=True))
             .order_by("-records", "pk").values_list("pk", "records").first())
    assert child is not None
    for username, path, label in (("caseworker", "/my-day/", "My day, caseworker"),
                                  ("teamleader", "/my-day/", "My day, team leader (the team's duties)"),
                                  ("teamleader", "/team/", "Team page"),
                                  ("caseworker", f"/children/{child[0]}/", "Case page, the caseworker's child")):
        user = users.get(username=username)
        client.force_login(user)
        scope = my_day_scope(user, on=today)
        times, cpu, resp = _time(client, path, args.repeats)
        assert resp is not None
        extra = ""
        if path.startswith("/children/"):
            print(f"{label}: child {child[0]} with {child[1]} notifications, interventions and follow-ups, "
                  f"page {len(resp.content) // 1024} KiB; server time {_ms(times)}; {_cpu(cpu)}", flush=True)
            continue
        if path == "/my-day/":
            items = my_day_items(scope, now=timezone.now(), today=today)
            groups = dict(items.group_by("group").len().iter_rows()) if items.height else {}
            extra = f", open duties by group {groups}, page {len(resp.content) // 1024} KiB"
        print(f"{label}: {len(scope.children)} children, {max(len(scope.posts), 1)} caseworker(s){extra}; "
              f"server time {_ms(times)}; {_cpu(cpu)}", flush=True)


if __name__ == "__main__":
    main()
