#!/usr/bin/env python3
"""Set up and run sitrep with nothing but Python 3.11+: `python3 tasks.py run` and `python3 tasks.py test`.

Creates `.venv` beside this file on first use and installs the project into it (again only when
pyproject.toml changes), then runs the task inside it. Standard library only, so it works before
anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SITREP_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".sitrep-installed"

TASKS = {
    "run": "the whole pipeline on an embedded Redis (extra arguments go to `sitrep run`)",
    "test": "lint, type-check and the whole test suite (extra arguments go to pytest)",
    "eval": "extraction quality on ../shared/eval (needs that folder)",
    "bench": "the benchmarks; figures go to stdout",
    "shell": "print the command that activates the virtual environment",
}


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (tasks.py runs on whatever python3 the user has)
        sys.exit(f"sitrep needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # Debian without python3-venv fails here; say how to fix it
            sys.exit(
                f"could not create a virtual environment ({error}); on Debian/Ubuntu: apt-get install python3-venv"
            )
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("installing sitrep and its dependencies into the virtual environment", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[{extras}]" if extras else str(ROOT)], check=True)
    STAMP.write_text(wanted)


def run(command: list[str]) -> int:
    return subprocess.call(command, cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print("usage: python3 tasks.py TASK [ARGS...]\n")
        for name, text in TASKS.items():
            print(f"  {name:6} {text}")
        return 0 if not argv else 2
    task, rest = argv[0], argv[1:]
    ensure_venv("test")
    if task == "run":
        command = [str(BIN / "sitrep"), "run", *rest]
        if os.name == "posix":
            # Become `sitrep run`: a signal meant for the pipeline (Ctrl-C, a TERM from a service manager)
            # reaches its supervisor directly, and no parent is left to die and orphan it.
            sys.stdout.flush()
            os.chdir(ROOT)
            os.execv(command[0], command)
        return run(command)
    if task == "test":
        for step in (
            [str(PYTHON), "-m", "ruff", "check", "."],
            [str(PYTHON), "-m", "ruff", "format", "--check", "."],
            [str(PYTHON), "-m", "mypy"],
        ):
            if run(step) != 0:
                return 1
        return run([str(PYTHON), "-m", "pytest", *rest])
    if task == "eval":
        return run([str(PYTHON), "scripts/eval.py", *rest])
    if task == "bench":
        return run([str(PYTHON), "scripts/bench.py", *rest])
    print(f"source {BIN / 'activate'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
