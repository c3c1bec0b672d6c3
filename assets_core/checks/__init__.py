"""Asset checks: ``@asset_check``, ``CheckResult`` and the built-in checks."""
