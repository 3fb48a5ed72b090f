"""docs/data-model.md documents every table and column of the schema, and its version."""

import re
from pathlib import Path

from trappen.register.schema import SCHEMA_VERSION, TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def test_every_table_and_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    assert f"schema version {SCHEMA_VERSION})" in text
    for table in TABLES.values():
        section = re.search(rf"### `{table.name}`\n(.*?)(?=\n### |\Z)", text, re.S)
        assert section, f"table {table.name} missing"
        for col in table.column_names:
            assert f"| `{col}` |" in section.group(1), f"{table.name}.{col} missing"
