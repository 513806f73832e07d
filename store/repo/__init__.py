"""Repositories: the store's units of work. Each function takes a Session and leaves the commit to
the caller's ``store.db.transaction()``, so writes that belong together commit together."""
