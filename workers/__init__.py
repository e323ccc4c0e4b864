"""RQ jobs and the text engine they run: extraction and deduplication of events."""
