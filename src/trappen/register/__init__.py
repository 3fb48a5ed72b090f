"""The analytic register: schema, container, file readers and writers, validation."""

from trappen.register._container import FORMATS, Register
from trappen.register.derive import age_on, monthly_steps, population_on, steps_at, steps_on
from trappen.register.schema import SCHEMA_VERSION, TABLE_NAMES, TABLES, conform, empty
from trappen.register.validate import validate

__all__ = ["FORMATS", "SCHEMA_VERSION", "TABLES", "TABLE_NAMES", "Register", "age_on", "conform", "empty",
           "monthly_steps", "population_on", "steps_at", "steps_on", "validate"]
