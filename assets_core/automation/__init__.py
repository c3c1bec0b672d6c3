"""Automation (SPEC §9): what makes runs happen without a person.

Definitions users write: ``schedules.py`` (``Schedule``), ``sensors.py`` (``@sensor``,
``RunRequest``, ``SkipReason``, ``SensorContext``), ``conditions.py`` (``Automation``).

The daemon (``assetline daemon``) and its parts: ``daemon.py`` (the loop), ``lease.py``
(one active daemon per catalog), ``triggers.py`` (schedule and sensor ticks),
``cron.py`` (cron instants across DST), ``isolation.py`` (sensors in child processes
with a timeout), ``asset_state.py`` + ``evaluation.py`` + ``verdicts.py`` +
``reasons.py`` + ``grouping.py`` + ``automation_tick.py`` (the conditions, over
partition index ranges, and their runs), ``run_queue.py`` (limits and order),
``launcher.py`` (runs in processes of their own), ``listing.py``, ``settings.py``,
``validate.py``.

Nothing here is imported by ``import assets_core`` beyond the definitions.
"""
