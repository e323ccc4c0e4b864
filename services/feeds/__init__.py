"""Feeds in: the registry of feeds, the guarded fetcher, item reading and the poller process."""
