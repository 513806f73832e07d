"""The `jangbogi` command: seeding, import, status and serving; sits above every other package."""
