"""Scheduled jobs: what a job is (``job``), how a run is recorded (``runs``), and the bodies of
the jobs that are not a domain service's (``cleanup``).

Each job is declared once, as ``JOB`` in its ``scheduled/<name>.py`` module, whose
``@schedule`` handler ``scheduled.job_function`` builds; the admin "run now" endpoint finds the
same ``JOB`` objects through ``scheduled.jobs()``, so both paths run the same code and record
their runs the same way.
"""
