"""Deduplication: near-duplicate reports (MinHash/LSH) and canonical events merged in Redis."""
