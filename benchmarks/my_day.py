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

import statistics

from _demo import demo_arguments, demo_build, demo_line, django_start, timed_get


def _ms(times: list[float]) -> str:
    return (f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms over {len(times)} requests")


def _cpu(cpu: list[float]) -> str:
    return f"CPU median {statistics.median(cpu) * 1000:.0f} ms, min {min(cpu) * 1000:.0f} ms"


def main() -> None:
    args = demo_arguments()
    django_start("trappen-myday-")
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from trappen.web.casework.my_day import my_day_items, my_day_scope
    from trappen.web.register.models import Child

    today, counts, logins, seconds = demo_build(children=args.children, years=args.years)
    print(f"{demo_line(today, counts, seconds)}; {len(logins)} demo logins", flush=True)
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
        times, cpu, resp = timed_get(client, path, args.repeats)
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
