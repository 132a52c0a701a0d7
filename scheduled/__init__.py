"""Cron-triggered functions, one module each; every run is recorded in ``job_runs``."""
