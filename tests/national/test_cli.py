"""``trappen national``: keygen, export (synthetic), import twice, list; a tampered bundle is one error line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from trappen.cli import app

runner = CliRunner()


def test_keygen_export_import_list(tmp_path: Path) -> None:
    keys, store = tmp_path / "keys", tmp_path / "store"
    done = runner.invoke(app, ["national", "keygen", "--municipality", "901", "--out", str(keys)])
    assert done.exit_code == 0, done.output
    bundle = tmp_path / "901.json"
    done = runner.invoke(app, ["national", "export", "--synthetic", "--children-scale", "60", "--municipality",
                               "901", "--key", str(keys / "901.key"), "--out", str(bundle)])
    assert done.exit_code == 0, done.output
    for expected in ("1 added", "1 unchanged"):
        done = runner.invoke(app, ["national", "import", str(bundle), "--store", str(store), "--keys", str(keys)])
        assert done.exit_code == 0 and expected in done.output, done.output
    done = runner.invoke(app, ["national", "list", "--store", str(store)])
    assert done.exit_code == 0 and "1 municipalities, 1 municipality-years" in done.output, done.output
    bundle.write_bytes(bundle.read_bytes().replace(b'"years":[2025]', b'"years":[2024]'))
    done = runner.invoke(app, ["national", "import", str(bundle), "--store", str(store), "--keys", str(keys)])
    assert done.exit_code == 1 and "signature does not verify" in done.output
    assert "Traceback" not in done.output


def test_bad_arguments_are_one_line(tmp_path: Path) -> None:
    for args, message in [
        (["keygen", "--municipality", "12", "--out", str(tmp_path)], "three digits"),
        (["export", "--municipality", "901", "--key", str(tmp_path / "k"), "--out", str(tmp_path / "b")],
         "exactly one of --register"),
        (["export", "--synthetic", "--years", "20x5", "--municipality", "901", "--key", str(tmp_path / "k"),
          "--out", str(tmp_path / "b")], "--years"),
        (["list", "--store", str(tmp_path / "none")], "no national store"),
    ]:
        done = runner.invoke(app, ["national", *args])
        assert done.exit_code == 1, done.output
        assert message in done.output and "Traceback" not in done.output


def test_a_directory_given_as_a_file_is_one_line(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    runner.invoke(app, ["national", "keygen", "--municipality", "901", "--out", str(keys)])
    for args in (["export", "--synthetic", "--municipality", "901", "--key", str(tmp_path), "--out",
                  str(tmp_path / "b.json")],
                 ["import", str(tmp_path), "--store", str(tmp_path / "store"), "--keys", str(keys)]):
        done = runner.invoke(app, ["national", *args])
        assert done.exit_code == 1 and "cannot read" in done.output, done.output
        assert done.exception is None or isinstance(done.exception, SystemExit)
