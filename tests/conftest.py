"""Test-wide settings."""

from hypothesis import HealthCheck, settings

# Our machines are small and busy: time limits would make property tests flaky, not stricter.
settings.register_profile("default", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")
