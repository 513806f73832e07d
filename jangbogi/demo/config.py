"""The demo generator's parameters and version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

# Bump whenever the generated rows change for the same config, so a stored data set can be told
# apart from one a newer generator would make.
GENERATOR_VERSION = "1.0.0"


@dataclass(frozen=True)
class DemoConfig:
    seed: int = 42
    n_sellers: int = 30
    n_shoppers: int = 3000
    days: int = 180
    # Fixed, so the output never depends on the day it is generated.
    end_date: dt.date = dt.date(2026, 11, 1)
    products_per_type: int = 22  # x 74 types -> 1,628 products

    def __post_init__(self) -> None:
        if self.n_sellers < 2:
            raise ValueError("n_sellers must be at least 2 (two house sellers carry store brands)")
        if self.n_shoppers < 1 or self.days < 1 or self.products_per_type < 1:
            raise ValueError("n_shoppers, days and products_per_type must be positive")

    @property
    def start_date(self) -> dt.date:
        """First simulated day; the period is [start_date, end_date)."""
        return self.end_date - dt.timedelta(days=self.days)

    def to_json(self) -> str:
        """The config and generator version, as stored in the ``demo_config`` meta row."""
        data: dict[str, object] = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["end_date"] = self.end_date.isoformat()
        data["generator_version"] = GENERATOR_VERSION
        return json.dumps(data, sort_keys=True)
