"""The reports are monthly: lab results and encounters arrive as one batch per month."""

from __future__ import annotations

from assets_core import MonthlyPartitions
from examples.healthcare.sources import END_MONTH, FIRST_MONTH

#: January to June 2024, keyed by the month's first day: ``2024-03-01``.
monthly = MonthlyPartitions(start=FIRST_MONTH, end=END_MONTH)
