"""The landing zone: files that other teams drop for us, read as external assets.

The marketing team exports its ad spend from the ad platforms as a CSV file; the
pipeline never writes it, it only reads it (``raw/marketing_spend`` is an
``external_asset`` whose IO manager is this one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from assets_core import InputContext, IOManager, OutputContext
from assets_core.io.base import missing_value_error

LANDING_DIR = Path(__file__).parent / "landing"


class LandingZoneIOManager(IOManager):
    """Reads ``<directory>/<asset name>.csv``; assets stored here are read-only.

    Args:
        directory: Where the other teams' files land.
        parse_dates: Columns to parse as dates, by asset name.
    """

    def __init__(
        self, directory: str | Path = LANDING_DIR, parse_dates: dict[str, list[str]] | None = None
    ) -> None:
        self.directory = Path(directory)
        self.parse_dates = dict(parse_dates or {})

    def path_for(self, context: InputContext | OutputContext) -> Path:
        """The CSV file of an asset: its last key component, ``.csv``."""
        return self.directory / f"{context.asset_key.name}.csv"

    def load(self, context: InputContext) -> pd.DataFrame:
        """The asset's CSV file as a DataFrame."""
        path = self.path_for(context)
        if not path.is_file():
            raise missing_value_error(context, str(path))
        dates = self.parse_dates.get(context.asset_key.name, [])
        frame = pd.read_csv(path, parse_dates=dates)
        for column in dates:
            frame[column] = frame[column].dt.date
        return frame

    def store(self, context: OutputContext, value: Any) -> None:
        """Landing files belong to the teams that produce them: never overwritten."""
        raise PermissionError(
            f"{context.asset_key} lives in the landing zone ({self.path_for(context)}); "
            "it is produced outside the pipeline and is read-only here."
        )

    def location(self, context: OutputContext) -> str | None:
        """The CSV file's path."""
        return str(self.path_for(context))
