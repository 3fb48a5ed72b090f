"""What the web benchmarks share: the usual options, a throw-away Django database, the demo
municipality as ``trappen demo`` builds it, and warm timing of a call or a page.

A benchmark script imports it as a sibling module (``from _demo import ...``: the script's own
folder is first on ``sys.path`` when it is run as ``.venv/bin/python benchmarks/<name>.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def demo_arguments(*, children: int = 20_000, years: int = 10, repeats: int = 9) -> argparse.Namespace:
    """``--children``, ``--years`` and ``--repeats`` from the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=children)
    parser.add_argument("--years", type=int, default=years)
    parser.add_argument("--repeats", type=int, default=repeats)
    return parser.parse_args()


def django_start(prefix: str) -> str:
    """Demo settings on a new temporary data folder, Django set up and migrated; the folder."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.environ["TRAPPEN_DEMO"] = "1"
    os.environ["TRAPPEN_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return tmp


def demo_build(*, children: int, years: int) -> tuple[dt.date, dict[str, int], list[Any], float]:
    """The demo municipality (seed 1, three pilot districts from 2021, history up to today) with
    its users and offer catalogue (``demo_database_replace``): today, the counts, the demo
    logins and the seconds it took."""
    from django.utils import timezone

    from trappen.synthetic import generate
    from trappen.web.accounts.services import demo_database_replace

    today = timezone.localdate()
    t = time.perf_counter()
    register = generate(children=children, years=years, seed=1, end_date=today, pilot_districts=3, pilot_from=2021)
    counts, logins = demo_database_replace(register, seed=1)
    return today, counts, list(logins), time.perf_counter() - t


def demo_line(today: dt.date, counts: dict[str, int], seconds: float) -> str:
    """``demo built: N children, M episodes up to <today> in S s``."""
    return (f"demo built: {counts['children']:,} children, {counts['episodes']:,} episodes up to {today} "
            f"in {seconds:.1f} s")


def timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], list[float], Any]:
    """Wall-clock and CPU seconds (this process, all threads) of ``repeats`` calls of ``fn``
    after one warm-up call that is not timed, and the last result."""
    out = fn()
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu, out


def timed_get(client: Any, path: str, repeats: int) -> tuple[list[float], list[float], Any]:
    """:func:`timed` for GET ``path`` through Django's test client; every response must be 200."""

    def get() -> Any:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        return resp

    return timed(get, repeats)


def ms(times: list[float], cpu: list[float], *, unit: str = "requests") -> str:
    """Median, min and max wall-clock time and median CPU time, in milliseconds."""
    return (f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms over {len(times)} {unit}; "
            f"CPU median {statistics.median(cpu) * 1000:.0f} ms")
