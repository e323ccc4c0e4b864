"""The notifier: reads events from the `sitrep:events` stream, keeps the situation per place, emits alerts."""
