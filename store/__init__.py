"""The shared data store: catalog, shoppers, carts, orders, events and ads on SQLAlchemy 2.

Nothing is connected at import time; call :func:`store.db.get_engine` (one engine per process
and URL).
"""
