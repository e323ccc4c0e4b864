"""The `sitrep` command (main.py) and its client subcommands, one module each."""
