"""MinHash signatures: stable across processes, high for syndicated copies, low for independent reports."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.dedup.corpus import HAPPENINGS
from workers.dedup import minhash

WIRE = (
    "The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday, a "
    "spokesman said. Engineers at the dam said they feared for the spillway. Some families "
    "left the old town in the morning, while others stayed in their basements until the shooting stopped."
)


def sig(text: str) -> str:
    return minhash.to_hex(minhash.signature(text))


def test_the_same_text_gives_the_same_signature_in_another_process_with_another_hash_seed() -> None:
    code = "from workers.dedup import minhash; import sys; print(minhash.to_hex(minhash.signature(sys.argv[1])))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    other = subprocess.run([sys.executable, "-c", code, WIRE], env=env, capture_output=True, text=True, check=True)
    assert other.stdout.strip() == sig(WIRE)
    assert len(sig(WIRE)) == minhash.SLOTS * 8


def test_a_syndicated_copy_with_a_new_headline_and_a_trimmed_paragraph_is_near() -> None:
    copy = "SYRIA BRIEFING - " + WIRE.rsplit(" while", 1)[0] + "."
    assert minhash.similarity(sig(WIRE), sig(copy)) >= 0.5
    shared = set(minhash.band_keys(minhash.signature(WIRE))) & set(minhash.band_keys(minhash.signature(copy)))
    assert shared, "a near copy must share at least one LSH band"


def test_independent_wordings_of_the_same_happening_are_not_near() -> None:
    _, variants = HAPPENINGS[0]
    assert minhash.similarity(sig(variants[0]), sig(variants[1])) < 0.5
    assert minhash.similarity(sig(variants[0]), sig(variants[2])) < 0.5


def test_case_and_punctuation_do_not_matter_and_tiny_texts_still_get_a_full_signature() -> None:
    assert sig("Tabqa fell, residents said.") == sig("TABQA FELL -- residents said")
    assert len(minhash.signature("Tabqa")) == minhash.SLOTS
    assert minhash.similarity(sig("Tabqa"), sig("Tabqa")) == 1.0


@pytest.mark.parametrize(
    ("text", "pinned"),
    [
        (
            "The convoy left the northern crossing at dawn, carrying 1,200 people towards the river town.",
            "d82fb14997790f4a419d93ab419ca9ff",
        ),
        ("two words", "cdb5ac667df8b5bba2caffe3e2d6d228"),
        ("", "df3f9a7c9e89697a8d3e3ba08cfb60b7"),
    ],
)
def test_signatures_and_band_keys_do_not_change_between_versions(text: str, pinned: str) -> None:
    # Stored signatures and band keys are compared with those of later reports, possibly computed by a
    # newer worker: a faster implementation must give the very same values (pinned from the first one).
    values = minhash.signature(text)
    digest = hashlib.sha256((minhash.to_hex(values) + ",".join(minhash.band_keys(values))).encode()).hexdigest()
    assert digest[:32] == pinned


def test_long_runs_are_hashed_but_never_kept_so_the_word_cache_stays_small() -> None:
    long_runs = " ".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(200))
    minhash._PRODUCTS.clear()
    first = minhash.signature(long_runs)
    assert len(minhash._PRODUCTS) == 0  # 64-character runs are not cached
    assert minhash.signature(long_runs) == first
    minhash.signature("Rebels took the town of Kidal on Monday")
    assert b"kidal" in minhash._PRODUCTS
