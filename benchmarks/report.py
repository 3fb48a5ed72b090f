"""Benchmark: build and render the annual report for a 20,000-child synthetic municipality.

Run: .venv/bin/python benchmarks/report.py [--children 20000] [--year 2024] [--png docs/img/report-page1.png]

Prints the time to generate the register (not part of the report), to build the report (all
KPI engine runs, district runs, trend series, goals, charts) and to render HTML, PDF and Excel,
and the process's peak memory. With --png, renders the PDF's first page with pdftoppm.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from trappen.kpi.goals import Goal
from trappen.reports import ReportGoal, build_report, render_excel, render_html, render_pdf
from trappen.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--language", default="da")
    parser.add_argument("--png", type=Path, default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    reg = generate(children=args.children, years=args.years, seed=1, pilot_districts=3, pilot_from=2021)
    t1 = time.perf_counter()
    goals = [  # example goals (Herning-style: fewer in residential care, more family care)
        ReportGoal(name="Færre børn anbragt på institution", goal=Goal(
            kpi_code="SS01_RESIDENTIAL_SHARE", baseline_value=0.40, baseline_date=date(2021, 1, 1),
            target_value=0.30, target_date=date(2026, 12, 31))),
        ReportGoal(name="Sagstal højst 25 pr. rådgiver", goal=Goal(
            kpi_code="CASELOAD_MEAN", baseline_value=45.0, baseline_date=date(2021, 1, 1),
            target_value=25.0, target_date=date(2025, 12, 31))),
    ]
    report = build_report(reg, year=args.year, language=args.language, goals=goals, publish=True)
    t2 = time.perf_counter()
    html = render_html(report)
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = render_pdf(report, Path(tmp) / "report.pdf")
        t4 = time.perf_counter()
        render_excel(report, Path(tmp) / "report.xlsx")
        t5 = time.perf_counter()
        size_kb = pdf.stat().st_size / 1024
        if args.png is not None:
            if shutil.which("pdftoppm") is None:
                raise SystemExit("pdftoppm not found: apt-get install -y poppler-utils")
            args.png.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(args.png.with_suffix(""))], check=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"children={args.children} years={args.years} episodes={reg.episodes.height:,} year={args.year}")
    print(f"generate register   {t1 - t0:6.2f} s (not part of the report)")
    print(f"build report        {t2 - t1:6.2f} s")
    print(f"render HTML         {t3 - t2:6.2f} s ({len(html) / 1024:.0f} KiB)")
    print(f"render PDF          {t4 - t3:6.2f} s ({size_kb:.0f} KiB)")
    print(f"render Excel        {t5 - t4:6.2f} s")
    print(f"build + PDF         {t2 - t1 + t4 - t3 + (t3 - t2):6.2f} s")
    print(f"peak memory (RSS)   {peak_mb:6.0f} MiB")


if __name__ == "__main__":
    main()
