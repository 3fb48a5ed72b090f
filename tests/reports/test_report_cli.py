"""CLI: `trappen report` on a register directory."""

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from trappen.cli import app
from trappen.synthetic import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def reg_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("reg")
    generate(children=1000, years=6, seed=5).write(path)
    return path


def test_report_xlsx_and_html(reg_dir, tmp_path):
    out = tmp_path / "report.xlsx"
    res = runner.invoke(app, ["report", "--year", "2024", "--format", "xlsx", "--out", str(out),
                              "--language", "en", "--register", str(reg_dir)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "README" and "Steps" in wb.sheetnames
    html = tmp_path / "report.html"
    res = runner.invoke(app, ["report", "--year", "2024", "--format", "html", "--out", str(html),
                              "--register", str(reg_dir)])
    assert res.exit_code == 0, res.output
    assert "Mål og resultater 2024" in html.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--format", "docx"], "--format must be one of"),
    (["--language", "sv"], "--language must be one of"),
    (["--year", "1990"], "no episodes"),
])
def test_report_bad_options_exit_1_without_traceback(reg_dir, tmp_path, args, message):
    out = tmp_path / "r.pdf"
    base = {"--year": "2024", "--format": "pdf", "--language": "da"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["report", "--out", str(out), "--register", str(reg_dir)]
    for k, v in base.items():
        argv += [k, v]
    res = runner.invoke(app, argv)
    assert res.exit_code == 1
    assert message in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_report_missing_register_dir(tmp_path):
    res = runner.invoke(app, ["report", "--year", "2024", "--out", str(tmp_path / "r.pdf"),
                              "--register", str(tmp_path / "nope")])
    assert res.exit_code == 1 and "no such directory" in res.output


def test_report_from_files_states_the_catalogue_prices(reg_dir, tmp_path):
    """#18: a register from files has no economist's prices; the report says which it used."""
    out = tmp_path / "files.xlsx"
    res = runner.invoke(app, ["report", "--year", "2024", "--format", "xlsx", "--out", str(out),
                              "--language", "en", "--register", str(reg_dir)])
    assert res.exit_code == 0, res.output
    readme = "\n".join(str(c.value) for c in load_workbook(out)["README"]["A"] if c.value)
    assert "from the intervention catalogue" in readme and "economist" not in readme
