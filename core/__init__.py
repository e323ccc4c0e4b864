"""Shared by every sitrep process: key names, settings, Redis connections, errors, process plumbing."""
