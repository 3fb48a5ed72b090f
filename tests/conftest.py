"""Suite-wide test settings."""

from hypothesis import HealthCheck, settings

# Property tests check correctness, not speed: on a loaded 2-core CI machine Hypothesis'
# default 200 ms deadline turns slow examples into spurious failures.
settings.register_profile("trappen", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("trappen")
