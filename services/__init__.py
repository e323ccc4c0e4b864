"""sitrep's processes other than the RQ workers: the HTTP API, the notifier, the dispatcher, the supervisor
and the `sitrep` command; they import core/ and schemas/, never workers/ (only the command does)."""
