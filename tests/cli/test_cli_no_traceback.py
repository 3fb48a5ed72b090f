"""No traceback, ever, from the command line: every ``trappen`` command, found by walking the
Typer app (nested groups included), answers ``--help`` with exit 0 and a bad argument (an
unknown option; a value of the wrong type; a number out of its range) with one message and a
non-zero exit. A few bad values that reach a command's body are checked on a small register."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from trappen.cli import app

runner = CliRunner()


def _commands() -> Iterator[tuple[list[str], object]]:
    def walk(cmd: object, path: list[str]) -> Iterator[tuple[list[str], object]]:
        yield path, cmd
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


COMMANDS = list(_commands())
LEAVES = [(path, cmd) for path, cmd in COMMANDS if path and not hasattr(cmd, "commands")]


def _annotation(param: object) -> object:
    return param.type_descriptor.annotation  # type: ignore[attr-defined]


def _is_number(param: object) -> bool:
    return _annotation(param) in (int, float, int | None, float | None)


def _required_args(cmd: object, *, except_: str, tmp: Path) -> list[str]:
    """Valid values for the command's required parameters, so the bad one is what is refused."""
    args: list[str] = []
    for p in cmd.params:  # type: ignore[attr-defined]
        if p.name == except_ or not (p.required or p.prompt):
            continue
        value = "1" if _is_number(p) else str(tmp / p.name)
        args += [value] if p.param_type_name == "argument" else [p.opts[0], value]
    return args


def _no_traceback(result: object) -> None:
    exc = result.exception  # type: ignore[attr-defined]
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {type(exc).__name__}: {exc}"
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_the_walk_finds_nested_groups() -> None:
    names = {" ".join(path) for path, _ in LEAVES}
    assert {"forecast run", "forecast backtest", "audit verify", "audit export", "invest run", "kpi",
            "generate", "demo", "migrate", "evaluate"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "trappen")
def test_help_exits_0(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    _no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "trappen")
def test_unknown_option_is_refused(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--no-such-option"])
    _no_traceback(result)
    assert result.exit_code != 0
    assert "no-such-option" in result.output or "Missing" in result.output


BAD_NUMBERS = [
    (path, p.opts[0], value)
    for path, cmd in LEAVES
    for p in cmd.params  # type: ignore[attr-defined]
    if p.param_type_name == "option" and _is_number(p)
    for value in ["not-a-number"]
    + ([str(p.min - 1)] if p.min is not None else [])
    + ([str(p.max + 1)] if p.max is not None else [])
]


def test_there_are_typed_and_ranged_options() -> None:
    assert len(BAD_NUMBERS) > 30
    assert (["forecast", "run"], "--replicates", "0") in BAD_NUMBERS
    assert (["evaluate"], "--draws", "0") in BAD_NUMBERS


@pytest.mark.parametrize(("path", "option", "value"), BAD_NUMBERS,
                         ids=[f"{' '.join(p)} {o} {v}" for p, o, v in BAD_NUMBERS])
def test_bad_number_is_refused_naming_the_option(path: list[str], option: str, value: str, tmp_path: Path) -> None:
    cmd = dict((" ".join(p), c) for p, c in LEAVES)[" ".join(path)]
    name = next(p.name for p in cmd.params if option in p.opts)  # type: ignore[attr-defined]
    result = runner.invoke(app, [*path, *_required_args(cmd, except_=name, tmp=tmp_path), option, value])
    _no_traceback(result)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert not any(tmp_path.iterdir())  # refused before anything ran


@pytest.fixture(scope="module")
def register_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from trappen.synthetic import generate

    path = tmp_path_factory.mktemp("register")
    generate(children=300, years=3, seed=1, pilot_districts=2, pilot_from=2024).write(path)
    return path


BODY_CASES = [
    # (arguments, a word the one-line message must contain); {reg} and {tmp} are filled in
    (["evaluate", "--register", "{reg}", "--out", "{tmp}/o", "--start", "2024-02-30"], "--start"),
    (["evaluate", "--register", "{reg}", "--out", "{tmp}/o", "--freq", "year"], "freq"),
    (["kpi", "--register", "{reg}", "--at", "2024-02-30"], "--at"),
    (["kpi", "--register", "{reg}", "--at", "2024-12-31", "--format", "xml"], "--format"),
    (["forecast", "backtest", "--register", "{reg}", "--cutoff", "2030-01-31", "--replicates", "2"], "--cutoff"),
    (["forecast", "run", "--register", "{reg}", "--cutoff", "31/01/2024", "--replicates", "2"], "--cutoff"),
    (["generate", "--children", "50", "--years", "1", "--out", "{tmp}/g", "--end-date", "2025-13-01"], "--end-date"),
    (["export", "--register", "{tmp}/missing", "--out", "{tmp}/e"], "missing"),
]


@pytest.mark.parametrize(("args", "word"), BODY_CASES, ids=[" ".join(a[:2]) + " " + w for a, w in BODY_CASES])
def test_bad_value_in_the_body_is_one_line_and_exit_1(args: list[str], word: str, register_dir: Path,
                                                      tmp_path: Path) -> None:
    result = runner.invoke(app, [a.format(reg=register_dir, tmp=tmp_path) for a in args])
    _no_traceback(result)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and word in errors[0], result.output
