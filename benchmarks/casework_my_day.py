"""Server time of "My day" for a caseworker with ~25 children in the 20,000-child demo.

Builds the demo municipality (synthetic, seeded) in a throw-away SQLite database, gives the
demo caseworker the post whose current caseload is closest to 25 children, and times GET
/my-day/ and /team/ through Django's test client (no network; this is server time: queries,
deadline engine, template). Prints the figures.

    TRAPPEN_DEMO=1 .venv/bin/python benchmarks/casework_my_day.py [--children 20000] [--years 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--screenshots", default="", help="Directory for my_day.png and team.png (needs Chromium).")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="trappen-myday-")
    os.environ["TRAPPEN_DEMO"] = "1"
    os.environ["TRAPPEN_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone

    from trappen.synthetic import generate
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.register.models import Caseworker

    call_command("migrate", interactive=False, verbosity=0)
    t = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=1)
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register, seed=1)
    print(f"demo built: {args.children:,} children, {register.episodes.height:,} episodes "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    demo_users_create()
    today = timezone.localdate()
    current = Q(assignment__start_date__lte=today) & (
        Q(assignment__end_date__isnull=True) | Q(assignment__end_date__gt=today))
    posts = list(
        Caseworker.objects.annotate(n=Count("assignment", filter=current)).values_list("pk", "n", "district_id")
    )
    pk, n, district = min(posts, key=lambda p: (abs(p[1] - 25), p[0]))
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="caseworker")
    Caseworker.objects.filter(user=user).update(user=None)
    Caseworker.objects.filter(pk=pk).update(user=user)
    from trappen.web.register.models import District

    user.districts.set(District.objects.filter(code=district))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        resp = client.get("/my-day/")
        times.append(time.perf_counter() - t)
        assert resp.status_code == 200, resp.status_code
    from trappen.web.casework.selectors import my_day

    t = time.perf_counter()
    data = my_day(user, now=timezone.now(), on=today)
    selector_ms = (time.perf_counter() - t) * 1000
    from trappen.web.casework.selectors import register_for_children

    ids = [c.pk for c in data["children"]]
    t = time.perf_counter()
    register_for_children(ids)
    queries_ms = (time.perf_counter() - t) * 1000
    print(
        f"My day breakdown: my_day selector {selector_ms:.0f} ms (register of my children from the "
        f"database {queries_ms:.0f} ms, the rest deadline engine and caseload query)"
    )
    items = data["deadlines"]
    overdue = int(items["overdue"].sum()) if items.height else 0
    print(
        f"My day: caseworker post {pk} with {n} current children, {items.height} open deadlines "
        f"({overdue} overdue), page {len(resp.content) // 1024} KiB"
    )
    print(
        f"My day server time: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {args.repeats} requests"
    )
    leader = get_user_model().objects.get(username="teamleader")
    leader.team_id = Caseworker.objects.get(pk=pk).team.pk
    leader.save()
    leader.districts.set(District.objects.filter(code=district))
    client.force_login(leader)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        resp = client.get("/team/")
        times.append(time.perf_counter() - t)
    assert resp.status_code == 200, resp.status_code
    print(
        f"Team page: {resp.content.decode().count('data-caseworker=')} caseworkers, "
        f"median {statistics.median(times) * 1000:.0f} ms"
    )
    if args.screenshots:
        _screenshots(args.screenshots, data_dir=tmp)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    sys.stdout.flush()


def _screenshots(directory: str, *, data_dir: str) -> None:
    """Serve the demo database with ``trappen serve`` and photograph My day and the team page."""
    import socket
    import subprocess
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    port = 8765
    env = {**os.environ, "TRAPPEN_DEMO": "1", "TRAPPEN_DATA_DIR": data_dir}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("trappen")), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for user, path, name in (("caseworker", "/my-day/", "my_day.png"), ("teamleader", "/team/", "team.png")):
                page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="da-DK")
                page.goto(f"{base}/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", f"{user}-demo")
                page.click("form.card button[type=submit]")
                page.wait_for_load_state()
                page.goto(f"{base}{path}")
                page.screenshot(path=str(out / name), full_page=False)
                print(f"screenshot {out / name}")
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
