"""RQ jobs and the text engine they run: extraction and deduplication of events; they import core/ and
schemas/, never services/."""
