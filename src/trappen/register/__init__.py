"""The analytic register: schema, container, file readers and writers, validation."""

from trappen.register._container import FORMATS, Register
from trappen.register.schema import SCHEMA_VERSION, TABLE_NAMES, TABLES, conform, empty

__all__ = ["FORMATS", "SCHEMA_VERSION", "TABLES", "TABLE_NAMES", "Register", "conform", "empty"]
