"""`trappen evaluate`'s default window reaches back before the pilot, so the pilot districts are
evaluated; with no treated district it says so in one line (exit 1) and prints no p-value."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trappen.cli import app
from trappen.evaluation import build_panel, staggered_did
from trappen.evaluation._report import summary_markdown
from trappen.synthetic import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Like the demo: ten years of history, the pilot from 2021, the register ending in 2025."""
    path = tmp_path_factory.mktemp("register")
    generate(children=800, years=10, seed=1, pilot_districts=3, pilot_from=2021).write(path)
    return path


def test_default_window_has_pre_periods_before_the_pilot(demo_like: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["evaluate", "--outcome", "placements_per_1000", "--out", str(tmp_path / "o"),
                              "--register", str(demo_like), "--draws", "49", "--ri-draws", "0"])
    assert res.exit_code == 0, res.output
    assert "3 treated, 5 control" in res.output and "ATT n/a" not in res.output
    summary = (tmp_path / "o" / "summary.md").read_text(encoding="utf-8")
    # three years before the 2021 adoption, not the five years before the end (2021-01-01)
    assert "--start 2018-01-01 --end 2026-01-01" in summary


def test_window_without_treated_districts_is_one_line_exit_1(demo_like: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["evaluate", "--out", str(tmp_path / "o"), "--register", str(demo_like),
                              "--start", "2021-01-01", "--end", "2026-01-01", "--draws", "49", "--ri-draws", "0"])
    assert res.exit_code == 1, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: no treated districts")
    assert "3 adopted before the window" in lines[0] and " p " not in lines[0] and "p <" not in lines[0]
    assert not (tmp_path / "o").exists()


def test_summary_prints_no_p_value_without_an_estimate(demo_like: Path) -> None:
    from trappen.register import Register

    panel = build_panel(Register.read(demo_like), freq="quarter", start=date(2021, 1, 1), end=date(2026, 1, 1))
    result = staggered_did(panel, outcome="placements_per_1000", draws=49, ri_draws=0, seed=1)
    assert result.clusters.treated == 0
    text = summary_markdown(result)
    assert "**n/a**" in text
    assert "draws) n/a;" in text and "< 0.0" not in text
