"""The extractor's fast paths give what their plain forms give (docs/extraction.md, "Speed and memory")."""

from __future__ import annotations

import random
import re

from workers.extraction import gazetteer
from workers.extraction.actors import find_actors
from workers.extraction.document import _FIRST_PIECES, Document
from workers.extraction.gazetteer import CITY
from workers.extraction.lexicons import load
from workers.extraction.numbers import find_numbers
from workers.extraction.sentences import _PIECES, _TOKEN, tokenize
from workers.extraction.textnorm import clean
from workers.extraction.times import all_times

# The place scan's word pattern as first written; _FIRST_PIECES is the same, arranged to run faster.
_PLAIN_FIRST_WORD = re.compile(r"((?<![\w'-])(?:[A-Z\u00c0-\u024f]|[ae]l-|a[dlrszt]-)\w*)")


def test_the_place_scan_finds_the_words_its_plain_pattern_finds() -> None:
    rng = random.Random(18)
    alphabet = "aAeElL-'_ dDrRsStTzZx\u00c9\u00e9\u00d7\u00f7\n.0\u0100\u0250\u4e00,"
    texts = ["Al-Bab, al-Bab and el-Fasher; Kafr ad-Dani, x-Ray, O'Brien, az-Zawiya \u00d7Aleppo"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(20_000)]
    for text in texts:
        assert _FIRST_PIECES.split(text) == _PLAIN_FIRST_WORD.split(text), text


def test_the_tokeniser_splits_as_its_plain_pattern_does() -> None:
    plain = re.compile(f"({_TOKEN.pattern})")
    rng = random.Random(8)
    alphabet = [*"0123456789,,..''--aZ_ ;:()\"\u0663\u00e9\n", ",000", ",12", "1,234", ".5"]
    texts = ['Some 1,200,000.5 people; 12,34 and 1,2345 - U.S.-led ("al-Bab") ... it\'s 3,000, 2,70,000 or 1,00,00,000']
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(20_000)]
    for text in texts:
        assert _PIECES.split(text) == plain.split(text), text


def test_the_longest_name_is_found_however_its_prefixes_are_named() -> None:
    row = ("xx/a", "A", None, None, None, None, False, CITY, "XX", 1_000)
    keys = ["deir", "deir ez zor", "deir hafer", "al bab", "tell abyad"]  # 'deir ez' and 'al' are no names
    world = gazetteer._in_memory([row], {key: [0] for key in keys})
    spans = [
        ("deir", "ez", "zor", "city"),
        ("deir", "ez", "town"),
        ("deir", "hafer"),
        ("al", "bab", "road"),
        ("al", "raqqa"),
        ("tell", "abyad"),
        ("tell",),
        ("deir",),
    ]
    for span in spans:
        plain = next((k for n in range(len(span), 0, -1) if (k := " ".join(span[:n])) in world), None)
        assert world.longest(list(span)) == plain, span


def test_typographic_marks_become_plain_ones_in_place() -> None:
    text = "\u2018Raqqa\u2019 \u2014 \u201cFell\u201d\u00a0on `Sunday` \u2013 it's"
    cleaned = clean(text).text
    assert cleaned == "'Raqqa' - \"Fell\" on 'Sunday' - it's"
    assert len(cleaned) == len(text)


def test_scare_quotes_around_one_or_two_lower_case_words_become_spaces_in_place() -> None:
    text = 'They took the royalist "capital" of the province and the "safe area" nearby.'
    cleaned = clean(text).text
    assert cleaned == "They took the royalist  capital  of the province and the  safe area  nearby."
    assert len(cleaned) == len(text)
    speech = 'He said "We will fight" and "Never" twice.'
    assert clean(speech).text == speech  # capitals or three words: a quotation, kept


def test_candidate_words_found_in_c_are_the_ones_a_loop_finds() -> None:
    """Tokens, numbers, times and actors of sentences that exercise each candidate test."""
    sentence = (
        "On Sunday the U.S.-led coalition said Assad's forces, backed by twenty-one al-Qaeda-linked "
        "fighters from Tigray's militias, took 1,200 km of al-Bab; the SDF-led push ended - 3 died."
    )
    tokens = tokenize(sentence)
    assert [t.text for t in tokens][:8] == ["On", "Sunday", "the", "U.S.-led", "coalition", "said", "Assad", "forces"]
    assert [t.text for t in tokens][-5:] == ["SDF-led", "push", "ended", "3", "died"]
    words = [t.low for t in tokens]
    assert [(words[n.i], n.value) for n in find_numbers(words)] == [("twenty-one", 21), ("1,200", 1200), ("3", 3)]
    assert [(k, t.text) for k, t in all_times(tokens, None)] == [(1, "Sunday")]
    doc = Document(load(), sentence, None, "fast-paths")
    mentions = [(m.actor.id, m.actor.mention) for m in find_actors(tokens, words, doc.binder)]
    assert mentions == [
        ("us-coalition", "U.S.-led coalition"),
        ("syrian-government", "Assad forces"),
        ("tplf", "fighters from Tigray"),
        ("sdf", "SDF-led"),
    ]
