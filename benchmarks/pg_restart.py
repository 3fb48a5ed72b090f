"""Fault: PostgreSQL restarted under load (#14 item 6).

The set-up of benchmarks/load.py (throw-away PostgreSQL, the demo, production settings, gunicorn),
then ``--users`` caseworkers in a closed loop for ``--seconds``, each also writing one journal note
per loop on their own child (a unique synthetic text). After ``--restart-at`` seconds PostgreSQL is
stopped (``pg_ctl stop -m fast``) and started again ``--down`` seconds later. Prints: the answers
by status (503s with Retry-After), the
server log's tracebacks and outage lines, whether every request in the last ``--tail`` seconds was
200 (recovery), and the notes in the database against the writes the clients saw succeed (none
lost, none twice).

    .venv/bin/python benchmarks/pg_restart.py [--children 5000] [--users 20] [--seconds 45]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import (  # noqa: E402  (the load benchmark's set-up and client)
    Browser,
    Postgres,
    Results,
    demo_into,
    free_port,
    pg_bin,
    production_env,
    run_users,
    serve,
)

MARK = "Belastningstest-note"
"""The synthetic text of every note this script writes (counted afterwards)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--restart-at", type=float, default=15)
    parser.add_argument("--down", type=float, default=5, help="seconds PostgreSQL stays stopped")
    parser.add_argument("--tail", type=float, default=10, help="seconds at the end that must be all 200")
    parser.add_argument("--think", type=float, default=1.0)
    args = parser.parse_args()
    bindir = pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL 15 binaries not found")
    postgres = Postgres(bindir)
    url = postgres.start().rsplit("/", 1)[0] + "/postgres"
    data = tempfile.mkdtemp(prefix="trappen-fault-")
    server = None
    try:
        env = production_env(url, data)
        users = demo_into(env, children=args.children, users=args.users)
        port = free_port()
        log = Path(data) / "server.log"
        server = serve(env, port, None, log)
        results = Results()
        counter = itertools.count()
        written: list[str] = []
        failed_writes: dict[int, int] = {}
        write_events: list[tuple[float, int]] = []
        lock = threading.Lock()

        def write(browser: Browser, user: dict[str, object], _: Results) -> None:
            text = f"{MARK} {next(counter)}"
            path = f"/children/{user['child']}/journal/new/"
            try:
                status, _, _ = browser.form_post(path, {"noted_on": dt.date.today().isoformat(),
                                                        "kind": "phone", "text": text})
            except (OSError, RuntimeError):
                status = 0
            with lock:
                if status == 302:
                    written.append(text)
                else:
                    failed_writes[status] = failed_writes.get(status, 0) + 1
                write_events.append((time.monotonic(), status))

        def pg_ctl(*extra: str) -> None:
            cmd = [str(bindir / "pg_ctl"), "-D", str(postgres.data), "-w", *extra]
            if postgres.as_root:
                cmd = ["runuser", "-u", "postgres", "--", *cmd]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=postgres.tmp)

        begun = threading.Event()

        def restart() -> None:
            begun.wait()
            time.sleep(args.restart_at)
            began = time.perf_counter()
            words = (Path(postgres.data) / "postmaster.opts").read_text().replace('"', "").split()[1:]
            opts = " ".join(w for i, w in enumerate(words) if w != "-D" and (i == 0 or words[i - 1] != "-D"))
            pg_ctl("-m", "fast", "stop")
            time.sleep(args.down)  # e.g. a minor-version upgrade: the server is away a few seconds
            pg_ctl("-o", opts, "-l", str(postgres.tmp / "log"), "start")
            print(f"PostgreSQL stopped at {args.restart_at:g} s and back after "
                  f"{time.perf_counter() - began:.1f} s")

        restarter = threading.Thread(target=restart, daemon=True)
        print(f"{args.users} caseworkers, {args.think:g} s think time, {args.seconds:g} s, a journal note per loop; "
              f"PostgreSQL stopped at {args.restart_at:g} s for {args.down:g} s:")
        restarter.start()
        run_users(port, users, seconds=args.seconds, think=args.think, results=results, extra=write,
                  begun=begun)
        restarter.join()
        text = log.read_text(errors="replace")
        print(f"  page answers by status: {dict(sorted(results.statuses.items()))}; "
              f"503 with Retry-After: {results.retry_after}")
        print(f"  note writes: {len(written)} answered 302 (saved); not saved, by status: {failed_writes}")
        print(f"  server log: {text.count('Traceback')} tracebacks, "
              f"{text.count('database unavailable')} outage lines")
        end = max(t for t, _ in results.answered)
        tail_pages = [status for t, status in results.answered if t > end - args.tail]
        tail_bad = [status for t, status in write_events if t > end - args.tail and status != 302]
        recovered = all(status == 200 for status in tail_pages) and not tail_bad
        verdict = ("all 200 and every write saved (recovered)" if recovered
                   else f"not recovered: {tail_pages} {tail_bad}")
        print(f"  the last {args.tail:g} s: {len(tail_pages)} page answers, {verdict}")
        check = subprocess.run([sys.executable, "-c", (
            "import django, json; django.setup()\n"
            "from django.db.models import Count\n"
            "from trappen.web.journal.models import JournalNote\n"
            f"rows = JournalNote.objects.filter(text__startswith={MARK!r})\n"
            "dups = rows.values('text').annotate(n=Count('id')).filter(n__gt=1).count()\n"
            "print(json.dumps([rows.count(), dups, sorted(rows.values_list('text', flat=True))]))")],
            env={**env, "DJANGO_SETTINGS_MODULE": "trappen.web.settings"}, cwd=data,
            capture_output=True, text=True, check=True)
        import json

        rows, dups, texts = json.loads(check.stdout.strip().splitlines()[-1])
        lost = sorted(set(written) - set(texts))
        unseen = sorted(set(texts) - set(written))
        print(f"  notes in the database: {rows} ({dups} written twice); saved but missing: {len(lost)}; "
              f"in the database though the client saw no 302: {len(unseen)}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        postgres.stop()


if __name__ == "__main__":
    main()
