"""The pure core must not import Django: only trappen.web (and CLI commands lazily) may."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "trappen"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _module_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_django_outside_web():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("web",):
            continue
        # CLI modules may set Django up lazily inside a command, never at import time.
        found = _module_level_imports(path) if rel.parts[0] == "cli" else _imports(path)
        if {"django", "ninja"} & found:
            offenders.append(str(rel))
    assert offenders == []


def test_the_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from django.db import models\n")
    assert "django" in _imports(bad)
