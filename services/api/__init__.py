"""The HTTP ingest service: validate reports, store and enqueue them atomically, answer 202."""
