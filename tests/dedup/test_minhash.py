"""MinHash signatures: stable across processes, high for syndicated copies, low for independent reports."""

from __future__ import annotations

import os
import subprocess
import sys

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
