"""The forecast page and API: a leader pulls the levers of :class:`trappen.forecast.Scenario`
and sees aggregate projections (never a child)."""
