"""Load: logged-in caseworkers on gunicorn + PostgreSQL with production settings (#14 item 6).

Starts a throw-away PostgreSQL 15 (as the test command does), builds the demo municipality into
it (``trappen demo --no-serve``: synthetic, seeded, history up to today), gives ``--users``
sessions a caseworker login with a second factor (TOTP; the posts holding children, most children first,
several sessions per login when there are fewer posts than sessions), and serves it with ``trappen serve`` under
production settings (DEBUG and demo mode off, two-factor required, secure cookies, the default
workers: cores + 1, or ``--workers``). Then ``--users`` virtual caseworkers, each in its own
thread on loopback, log in (password and TOTP code) and loop for ``--seconds``: My day, their own
child's case page, the steps dashboard, with ``--think`` seconds between requests (closed loop).
Prints per page and overall p50/p95/p99 (ms), requests/s, errors and the CPU time per request
of the server, PostgreSQL and the client (from /proc); asserts nothing on time.
The load client runs on the same machine (it takes CPU from the server).

    .venv/bin/python benchmarks/load.py [--children 20000] [--users 50] [--seconds 60] [--think 1]
                                        [--workers N] [--threads N]

Also the base of benchmarks/pg_restart.py (the fault script).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from run_tests import Postgres, pg_bin  # noqa: E402  (the test command's throw-away server)

PAGES = ("my_day", "case_page", "dashboard")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(database_url: str, data_dir: str) -> dict[str, str]:
    """Production settings on loopback; the demo's CPR key, so the demo's children decrypt."""
    from trappen.web.register.crypto import demo_key_text

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRAPPEN_", "DJANGO_")) and k not in
             {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    return {**clean, "DATABASE_URL": database_url, "TRAPPEN_DATA_DIR": data_dir, "DEBUG": "0", "TRAPPEN_DEMO": "0",
            "SECRET_KEY": "load-benchmark-" + "k" * 50, "TRAPPEN_CPR_KEY": demo_key_text(),
            "ALLOWED_HOSTS": "127.0.0.1", "DB_CONN_MAX_AGE": "60", "TRAPPEN_LOG_LEVEL": "WARNING",
            "TRAPPEN_LOGIN_FAILURE_LIMIT": "1000", "TRAPPEN_ADDRESS_FAILURE_LIMIT": "1000"}


_SETUP = r"""
import json, sys
import django
django.setup()
from django.db.models import Count, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from trappen.web.accounts.services import user_create
from trappen.web.register import models as m

sessions = int(sys.argv[1])
today = timezone.localdate()
active = Q(assignment__start_date__lte=today) & (
    Q(assignment__end_date__isnull=True) | Q(assignment__end_date__gt=today))
posts = list(m.Caseworker.objects.annotate(n=Count("assignment", filter=active)).filter(n__gt=0)
             .order_by("-n", "pk")[:sessions])
logins = []
for i, post in enumerate(posts):
    password = f"load{i:02d}-Load-2026!"
    user = post.user
    if user is None:
        user = user_create(username=f"load{i:02d}", role="caseworker", password=password,
                           district_codes=[post.district_id], validate=False)
        user.team_id = m.Team.objects.get(code=post.team_id).pk
        user.save()
        post.user = user
        post.save()
    else:  # a demo login: the same post, a known password
        user.set_password(password)
        user.save()
    child = (m.Assignment.objects.filter(caseworker=post, start_date__lte=today)
             .filter(Q(end_date__isnull=True) | Q(end_date__gt=today)).values_list("child_id", flat=True).first())
    logins.append((user, password, child))
out = []
for i in range(sessions):  # more sessions than logins: one TOTP device per session (a code is used once)
    user, password, child = logins[i % len(logins)]
    device = TOTPDevice.objects.create(user=user, name=f"load{i}", confirmed=True)
    out.append({"username": user.username, "password": password, "child": child, "key": device.key})
print(json.dumps(out))
print(len(logins), file=sys.stderr)
"""


def demo_into(env: dict[str, str], *, children: int, users: int) -> list[dict[str, object]]:
    """Build the demo into the database of ``env`` and make ``users`` caseworker logins with TOTP."""
    import json

    demo_env = {**env, "TRAPPEN_DEMO": "1", "ALLOWED_HOSTS": ""}
    trappen = [sys.executable, "-c", "from trappen.cli import main; main()"]
    started = time.perf_counter()
    subprocess.run([*trappen, "demo", "--children", str(children), "--no-serve"], env=demo_env, check=True,
                   cwd=env["TRAPPEN_DATA_DIR"], stdout=subprocess.DEVNULL)
    print(f"demo of {children:,} children built into PostgreSQL in {time.perf_counter() - started:.0f} s")
    done = subprocess.run([sys.executable, "-c", _SETUP, str(users)], env={
        **env, "DJANGO_SETTINGS_MODULE": "trappen.web.settings"}, check=True, capture_output=True, text=True,
        cwd=env["TRAPPEN_DATA_DIR"])
    made = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{users} sessions over {done.stderr.strip().splitlines()[-1]} caseworker logins (the posts holding "
          f"children, most children first), each session with its own authenticator device")
    return made


def serve(env: dict[str, str], port: int, workers: int | None, log: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", "from trappen.cli import main; main()", "serve", "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    server = subprocess.Popen(args, env=env, cwd=env["TRAPPEN_DATA_DIR"], stdout=log.open("wb"),
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}") from None
            time.sleep(0.3)
    raise SystemExit("the server did not start in 120 s")


@dataclass
class Browser:
    """One user's connection and cookies (kept by hand: production cookies are Secure, and
    this client speaks plain http on loopback)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1",
                   "Accept-Language": "da"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers |= {"Content-Type": "application/x-www-form-urlencoded",
                        "Referer": f"http://127.0.0.1:{self.port}{path}"}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, text, {k.lower(): v for k, v in response.getheaders()}

    def form_post(self, path: str, fields: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        status, text, _ = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if status != 200 or token is None:
            raise RuntimeError(f"GET {path}: {status}, no form")
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": token.group(1)})


def totp_now(key_hex: str) -> str:
    from binascii import unhexlify

    from django_otp.oath import TOTP

    return f"{TOTP(unhexlify(key_hex)).token():06d}"


def log_in(port: int, user: dict[str, object]) -> Browser:
    browser = Browser(port)
    status, _, headers = browser.form_post("/login/", {"username": str(user["username"]),
                                                      "password": str(user["password"])})
    if status != 302:
        raise RuntimeError(f"login of {user['username']}: {status}")
    status, _, headers = browser.form_post("/security/otp/verify/", {"token": totp_now(str(user["key"]))})
    if status != 302 or "/security/otp" in headers.get("location", ""):
        raise RuntimeError(f"second factor of {user['username']}: {status}")
    return browser


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    statuses: dict[int, int] = field(default_factory=dict)
    retry_after: int = 0
    answered: list[tuple[float, int]] = field(default_factory=list)
    """(monotonic time, status) of every answer."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, status: int, headers: dict[str, str]) -> None:
        with self.lock:
            self.answered.append((time.monotonic(), status))
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200:
                self.times[page].append(seconds)
            if status == 503 and "retry-after" in headers:
                self.retry_after += 1


def _paths(user: dict[str, object]) -> dict[str, str]:
    return {"my_day": "/my-day/", "case_page": f"/children/{user['child']}/", "dashboard": "/dashboards/steps/"}


def run_users(port: int, users: list[dict[str, object]], *, seconds: float, think: float,
              results: Results, extra: object = None, begun: threading.Event | None = None,
              on_begin: object = None) -> float:
    """Log every user in, then run the closed loop for ``seconds``; returns the measured seconds.
    ``extra(browser, user, results)``, when given, is called once per loop (the fault script's
    writes); ``begun`` is set, and ``on_begin()`` called, when the loop starts (after the logins)."""
    browsers = [log_in(port, u) for u in users]
    for browser, user in zip(browsers, users, strict=True):  # warm every worker's caches, untimed
        for path in _paths(user).values():
            browser.request("GET", path)
    stop = threading.Event()
    if begun is not None:
        begun.set()
    if on_begin is not None:
        on_begin()  # type: ignore[operator]

    def loop(browser: Browser, user: dict[str, object]) -> None:
        pages = _paths(user)
        while not stop.is_set():
            for page in PAGES:
                if stop.is_set():
                    return
                started = time.perf_counter()
                try:
                    status, _, headers = browser.request("GET", pages[page])
                except OSError:
                    status, headers = 0, {}
                results.add(page, time.perf_counter() - started, status, headers)
                stop.wait(think)
            if extra is not None:
                extra(browser, user, results)  # type: ignore[operator]

    threads = [threading.Thread(target=loop, args=(b, u), daemon=True) for b, u in zip(browsers, users, strict=True)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    return time.perf_counter() - started


def cpu_seconds(roots: list[int]) -> float:
    """CPU seconds (user + system) used so far by the processes ``roots`` and all their
    descendants, from /proc (Linux): the server's cost, apart from other work on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, list(roots)
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def postmaster(postgres: Postgres) -> int:
    return int((postgres.data / "postmaster.pid").read_text().split()[0])


def percentiles(times: list[float]) -> str:
    if len(times) < 2:
        return "no answers"
    q = statistics.quantiles(times, n=100, method="inclusive")
    return f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms ({len(times)} requests)"


def report(results: Results, measured: float, cpu: dict[str, float] | None = None) -> None:
    """Percentiles per page, throughput and errors; with ``cpu`` (CPU seconds during the
    measured time by part), the CPU cost per request of each part."""
    total = sum(results.statuses.values())
    errors = total - results.statuses.get(200, 0)
    for page in PAGES:
        print(f"  {page:<10} {percentiles(results.times[page])}")
    print(f"  {'all':<10} {percentiles([t for p in PAGES for t in results.times[p]])}")
    print(f"  {total:,} requests in {measured:.0f} s = {total / measured:.1f} requests/s; "
          f"errors (not 200): {errors}; statuses {dict(sorted(results.statuses.items()))}")
    if cpu and total:
        print("  CPU per request: " + ", ".join(f"{part} {seconds / total * 1000:.1f} ms"
                                                 for part, seconds in cpu.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: the server's own)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default: the server's own)")
    args = parser.parse_args()
    bindir = pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL 15 binaries not found")
    postgres = Postgres(bindir)
    url = postgres.start().rsplit("/", 1)[0] + "/postgres"  # the cluster's own database
    data = tempfile.mkdtemp(prefix="trappen-load-")
    server = None
    try:
        env = production_env(url, data)
        if args.threads:
            env["TRAPPEN_WEB_THREADS"] = str(args.threads)
        users = demo_into(env, children=args.children, users=args.users)
        port = free_port()
        server = serve(env, port, args.workers or None, Path(data) / "server.log")
        results = Results()
        print(f"{args.users} caseworkers, closed loop, {args.think:g} s think time, {args.seconds:g} s, "
              f"gunicorn {'--workers ' + str(args.workers) if args.workers else 'default workers'} "
              f"+ PostgreSQL, production settings, {os.cpu_count()} cores shared with the client:")
        before: dict[str, float] = {}

        def cpu() -> dict[str, float]:  # the load client: this process alone, not its children
            return {"gunicorn": cpu_seconds([server.pid]), "PostgreSQL": cpu_seconds([postmaster(postgres)]),
                    "load client": time.process_time()}

        measured = run_users(port, users, seconds=args.seconds, think=args.think, results=results,
                             on_begin=lambda: before.update(cpu()))
        report(results, measured, {part: seconds - before[part] for part, seconds in cpu().items()})
        tracebacks = (Path(data) / "server.log").read_text(errors="replace").count("Traceback")
        print(f"  tracebacks in the server log: {tracebacks}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        postgres.stop()


if __name__ == "__main__":
    main()
