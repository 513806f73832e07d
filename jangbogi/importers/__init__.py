"""Importers of real, published data sets into the store (see ``docs/completejourney.md``)."""
