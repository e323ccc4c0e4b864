"""How common an English word is (wordfreq's Zipf scale), for the words common enough to matter.

wordfreq itself costs 0.9 s and 40 MB per process to load; the words at or above `FLOOR` are built once into
a memory-mapped trie beside the gazetteer (`core.cache_dir`) and shared by every process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import marisa_trie

from core.cache_dir import cache_dir

#: Words rarer than this are not stored: every use asks "is this word at least this common?".
FLOOR = 3.0
FORMAT = 1


class Wordlist:
    """Zipf frequencies of common English words; 0.0 for any word not stored."""

    def __init__(self, trie: marisa_trie.RecordTrie) -> None:
        self._trie = trie

    def zipf(self, word: str) -> float:
        found = self._trie.get(word.lower())
        return found[0][0] / 10 if found else 0.0


def _build(path: Path) -> None:
    from wordfreq import top_n_list, zipf_frequency

    words = [w for w in top_n_list("en", 100_000) if w.isalpha()]
    records = [(w, (round(zipf_frequency(w, "en") * 10),)) for w in words]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    os.close(fd)
    try:
        marisa_trie.RecordTrie("<B", [r for r in records if r[1][0] >= FLOOR * 10]).save(tmp)
        os.replace(tmp, path)  # atomic: a second process building at once never reads half a file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@lru_cache(maxsize=1)
def load_wordlist() -> Wordlist:
    """The word list, from the cache when it matches the installed wordfreq, else built (a second) and cached."""
    try:
        version = metadata.version("wordfreq")
    except metadata.PackageNotFoundError:
        version = "-"
    path = cache_dir() / f"wordlist-{FORMAT}-{version}.marisa"
    trie = marisa_trie.RecordTrie("<B")
    if path.exists():
        try:
            trie.mmap(str(path))
            return Wordlist(trie)
        except (OSError, ValueError, RuntimeError):  # a damaged file: build it again
            path.unlink(missing_ok=True)
            trie = marisa_trie.RecordTrie("<B")
    try:
        _build(path)
        trie.mmap(str(path))
        return Wordlist(trie)
    except (OSError, ValueError, RuntimeError):  # a read-only home: keep it in memory this time
        folder = Path(tempfile.mkdtemp())
        _build(folder / "words.marisa")
        trie = marisa_trie.RecordTrie("<B")
        trie.load(str(folder / "words.marisa"))
        shutil.rmtree(folder, ignore_errors=True)
        return Wordlist(trie)
