"""Screenshots of the demo for the docs: My day (caseworker and team leader), a case page and the
team page, at 1366 px and at 390 px, in Danish, as PNGs in docs/img/ (my-day-caseworker-1366.png,
case-page-390.png, ...). Synthetic data only: it logs in with the demo's logins.

Start a demo first, in a folder of its own, then point this script at it::

    mkdir -p /tmp/demo && cd /tmp/demo
    TRAPPEN_DATA_DIR=/tmp/demo/var trappen demo --children 5000 --no-serve
    TRAPPEN_DATA_DIR=/tmp/demo/var trappen serve --port 8105 &
    python scripts/screenshots.py --url http://127.0.0.1:8105

Usage: python scripts/screenshots.py [--url URL] [--out DIR] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1366, 390)
HEIGHT = {1366: 900, 390: 844}  # a laptop, a phone (iPhone 12-15 viewport)
MAX_BYTES = 300_000  # keep the repository small: a screenshot above this is cropped to the screen


def _log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-demo")  # the demo's password rule (synthetic data only)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{url}/overview/")


def _shot(page, path: Path, *, full_page: bool) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=str(path), full_page=full_page)
    viewport = page.viewport_size or {"width": 1366, "height": 900}
    for screens in (2.5, 1.5, 1.0):  # too big: the top of the page, as much as fits
        if not full_page or path.stat().st_size <= MAX_BYTES:
            break
        page.screenshot(path=str(path), full_page=True, clip={
            "x": 0, "y": 0, "width": viewport["width"], "height": int(viewport["height"] * screens)})
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1000} kB")


def take(*, url: str, out: Path, chromium: str) -> list[Path]:
    """Log in as the demo caseworker and team leader and save the screenshots; returns their paths."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in WIDTHS:
                for role in ("caseworker", "teamleader"):
                    page = browser.new_page(viewport={"width": width, "height": HEIGHT[width]}, locale="da-DK")
                    _log_in(page, url, role)
                    page.goto(f"{url}/my-day/")
                    made.append(out / f"my-day-{role}-{width}.png")
                    _shot(page, made[-1], full_page=True)
                    if role == "caseworker":
                        page.click("#my-day-children a >> nth=0")
                        made.append(out / f"case-page-{width}.png")
                        _shot(page, made[-1], full_page=True)
                    else:
                        page.goto(f"{url}/team/")
                        made.append(out / f"team-{width}.png")
                        _shot(page, made[-1], full_page=True)
                    page.close()
        finally:
            browser.close()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8105", help="the running demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the PNGs")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium to drive")
    args = parser.parse_args()
    take(url=args.url.rstrip("/"), out=args.out, chromium=args.chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
