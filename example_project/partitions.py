"""How the shop's data is partitioned: by day, and by region and day.

The demo covers the two weeks of January 1-14, 2024 (``end`` is exclusive), so every
run of it sees the same days whatever today's date is.
"""

from __future__ import annotations

from assets_core import DailyPartitions, MultiPartitions, StaticPartitions
from example_project.shop import REGIONS

FIRST_DAY = "2024-01-01"
LAST_DAY = "2024-01-14"

#: One partition per day of orders, web events and everything derived from them.
daily = DailyPartitions(start=FIRST_DAY, end="2024-01-15")

#: The regions the shop sells in.
regions = StaticPartitions(list(REGIONS))

#: One partition per day and region, keyed ``2024-01-01|eu``.
region_daily = MultiPartitions({"date": daily, "region": regions})
