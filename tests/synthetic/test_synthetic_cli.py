"""`trappen generate` writes a register to files; bad input is a message and exit code 1."""

from typer.testing import CliRunner

from trappen.cli import app
from trappen.register import TABLE_NAMES, Register
from trappen.synthetic import generate

runner = CliRunner()


def test_generate_out_writes_one_file_per_table(tmp_path):
    out = tmp_path / "reg"
    result = runner.invoke(app, ["generate", "--children", "1500", "--years", "2", "--seed", "5",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "seed 5" in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.parquet" for t in TABLE_NAMES)
    back = Register.read(out)
    expected = generate(children=1500, years=2, seed=5)
    for name in TABLE_NAMES:
        assert back.tables[name].equals(expected.tables[name]), name


def test_generate_csv_with_a_pilot(tmp_path):
    result = runner.invoke(app, ["generate", "--children", "1500", "--years", "3", "--seed", "2",
                                 "--out", str(tmp_path), "--format", "csv",
                                 "--pilot-districts", "2", "--pilot-from", "2024"])
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.csv"))) == len(TABLE_NAMES)
    assert "D01,Nordby,2024-01-01" in (tmp_path / "districts.csv").read_text(encoding="utf-8")


def test_bad_options_give_a_message_and_exit_code_1(tmp_path):
    result = runner.invoke(app, ["generate", "--children", "1500", "--years", "2",
                                 "--pilot-districts", "9", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "pilot_districts" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()  # nothing partial is written
    result = runner.invoke(app, ["generate", "--children", "1500", "--years", "2",
                                 "--format", "xml", "--out", str(tmp_path / "y")])
    assert result.exit_code == 1
    assert "--format" in result.output


def test_generate_without_out_loads_the_database(db):
    from trappen.web.register.selectors import register_snapshot

    result = runner.invoke(app, ["generate", "--children", "400", "--years", "2", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "seed 4" in result.output
    expected = generate(children=400, years=2, seed=4)
    snapshot = register_snapshot()
    assert snapshot.children.height == expected.children.height
    assert snapshot.episodes.height == expected.episodes.height
