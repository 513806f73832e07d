"""Deterministic demo data: catalog, shoppers, 180 days of behaviour, orders and ads.

``seed_demo(engine, DemoConfig())`` fills an empty, migrated store. See docs/demo-data.md for
what is generated and the patterns planted in it.
"""

from jangbogi.demo.config import GENERATOR_VERSION, DemoConfig
from jangbogi.demo.seed import seed_demo

__all__ = ["GENERATOR_VERSION", "DemoConfig", "seed_demo"]
