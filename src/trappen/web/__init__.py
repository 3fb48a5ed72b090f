"""The Django web layer: the operational register, casework pages, dashboards and the API."""
