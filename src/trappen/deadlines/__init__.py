"""The deadline engine: the duties of Barnets Lov as data, computed over the analytic register.

Public API::

    from trappen.deadlines import deadline_items, DeadlineConfig, add_working_days

    items = deadline_items(register, now=datetime.now(timezone.utc))

See ``docs/deadlines.md`` for every duty, its parameters and legal source, and the time
conventions (elapsed hours, Copenhagen calendar days, Danish working days).
"""

from trappen.deadlines._calendar import (
    COPENHAGEN,
    add_months,
    add_working_days,
    add_working_days_to_dates,
    danish_holidays,
    end_of_local_day,
    is_working_day,
)
from trappen.deadlines._collaboration import (
    ACTION_SCHEMA,
    MEETING_SCHEMA,
    CollaborationDuties,
    CollaborationDuty,
    collaboration_items,
    default_collaboration_duties,
    load_collaboration_duties,
)
from trappen.deadlines._duties import (
    DeadlineConfig,
    Duties,
    Duty,
    default_duties,
    duties_frame,
    load_duties,
)
from trappen.deadlines._engine import (
    DEADLINE_ITEM_SCHEMA,
    STATUSES,
    deadline_items,
    deadline_items_for_child,
    deadline_items_for_children,
    item_status,
)

__all__ = [
    "ACTION_SCHEMA", "COPENHAGEN", "DEADLINE_ITEM_SCHEMA", "MEETING_SCHEMA", "STATUSES",
    "CollaborationDuties", "CollaborationDuty",
    "DeadlineConfig", "Duties", "Duty", "collaboration_items", "default_collaboration_duties",
    "load_collaboration_duties",
    "add_months", "add_working_days", "add_working_days_to_dates", "danish_holidays",
    "deadline_items", "deadline_items_for_child", "deadline_items_for_children",
    "default_duties", "duties_frame", "end_of_local_day",
    "is_working_day", "item_status", "load_duties",
]
