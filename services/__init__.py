"""sitrep's long-running processes: the ingest API, the notifier, the CLI and the supervisor."""
