"""The world gazetteer: GeoNames places and regions, one id per place, names read in the report's country."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.events import EventKind
from workers.extraction import gazetteer
from workers.extraction.document import Document
from workers.extraction.gazetteer import CITY, REGION, key_of, load_gazetteer
from workers.extraction.lexicons import load
from workers.extraction.wordlist import load_wordlist

from .conftest import run


def test_spellings_of_a_curated_place_share_its_id() -> None:
    gaz = load_gazetteer()
    ids = {gaz.candidates(key_of(name))[0].id for name in ("Palmyra", "Tadmur", "Tadmor")}
    assert ids == {"palmyra"}


def test_places_of_every_war_are_known_with_their_region_and_country() -> None:
    gaz = load_gazetteer()
    for name, country in (("Bakhmut", "UA"), ("Goma", "CD"), ("El Fasher", "SD"), ("Lashio", "MM"), ("Kidal", "ML")):
        best = gaz.candidates(key_of(name))[0]
        assert (best.kind, best.country_code) == (CITY, country), name
        assert best.parent, name


def test_common_words_are_not_places() -> None:
    gaz = load_gazetteer()
    for word in ("Hope", "Building", "Army", "Forces", "Union", "Fields"):
        assert not gaz.candidates(key_of(word)), word


def test_a_shared_name_is_read_in_the_country_the_report_is_about() -> None:
    # Two towns in Ukraine and one in the United States are called Lyman; the report is about Ukraine's east.
    text = "Ukrainian troops recaptured Lyman in the Donetsk region on Saturday, the defence ministry in Kyiv said."
    places = [e.place for e in run(text) if e.place is not None and e.place.name == "Lyman"]
    assert places and all(p.country == "Ukraine" for p in places)
    assert places[0].parent is not None and "Donetsk" in places[0].parent


def test_a_name_before_a_region_word_means_the_region() -> None:
    assert load_gazetteer().candidates(key_of("North Darfur"))[0].kind == REGION
    doc = Document(load(), "Ukrainian units advanced in the Kursk region of Russia.", None, None)
    found = [m.place for m in doc.view(0).places]
    assert [(p.country, p.id.startswith("ru/")) for p in found][0] == ("Russia", True)
    assert "/" not in found[0].id[3:]  # the region, not the town of Kursk


def test_names_are_written_without_diacritics() -> None:
    assert load_gazetteer().candidates(key_of("Hpakant"))[0].name == "Hpakan"


def test_the_word_list_knows_common_words_and_not_names() -> None:
    words = load_wordlist()
    assert words.zipf("three") > 5 and words.zipf("national") > 4
    assert words.zipf("arakan") < 4 and words.zipf("kokang") == 0.0


def test_a_respelling_keeps_its_vowel_classes() -> None:
    # o/u and a/e/i/y vary in transliteration; an o/u for an e is another name ('Zhelanne' is not 'Zhulyany')
    text = (
        "Kyiv said fighting raged in the Donetsk region of Ukraine. Russia said it had taken the village of Zhelanne."
    )
    places = {e.place.id for e in run(text) if e.place}
    assert places and not any("zhulyany" in p for p in places)
    found = [e.place for e in run("Forces loyal to the government recaptured Hudaidah in western Yemen.") if e.place]
    assert found and found[0].resolved


def test_a_small_town_abroad_is_not_what_a_report_means() -> None:
    text = "RSF fighters shelled El Fasher in Sudan's Darfur. Over 5,000 civilians have fled to Tawila since Sunday."
    places = {e.place.id for e in run(text) if e.place is not None}
    assert not any(p.startswith("ye/") for p in places)
    text = "Yemen's army advanced in Marib. Troops took the whole province of Shabwa from the Houthis."
    places = {e.place.id for e in run(text) if e.place is not None}
    assert "ye/shabwah" in places and not any(p.startswith("mm/") for p in places)


def test_a_side_s_nationality_does_not_say_where_the_war_is() -> None:
    # 'Russian forces' names who fights, not where: a town the world has one of is found where a place stands
    for text in (
        "The town of Bakhmut fell to Russian forces after months of fighting.",
        "On Saturday, Moscow's troops captured the town of Soledar, the defence ministry said.",
    ):
        places = [e.place for e in run(text) if e.kind == EventKind.control_change and e.place]
        assert places and all(p.resolved and p.id.startswith("ua/") for p in places), text
    # once a place fixes the report's country, a small namesake abroad is still not meant
    text = "Sudanese army units entered Khartoum. Over 2,000 civilians have fled to Tawila since Sunday."
    assert not any(e.place.id.startswith("ye/") for e in run(text) if e.place is not None)


def test_a_damaged_cache_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = ("cd/north-kivu/goma", "Goma", "North Kivu", "DR Congo", -1.68, 29.22, False, CITY, "CD", 600_000)
    monkeypatch.setattr(gazetteer, "_build", lambda: ([row], {"goma": [0]}))  # a one-place world, built at once
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path))
    folder = tmp_path / f"gazetteer-{gazetteer._versions()}"
    folder.mkdir()
    for name in ("names.marisa", "firsts.marisa", "rows.bin", "offsets.bin"):
        (folder / name).write_bytes(b"broken")
    load_gazetteer.cache_clear()
    try:
        assert load_gazetteer().candidates("goma")[0].country_code == "CD"
        load_gazetteer.cache_clear()
        assert load_gazetteer().candidates("goma")[0].id == "cd/north-kivu/goma"  # the rebuilt cache reads back
    finally:
        load_gazetteer.cache_clear()


def test_a_name_towns_of_several_countries_share_is_read_in_the_report_s_country() -> None:
    # 'Leon' is Mexico's far larger city, but beside Masaya and Chinandega it is Nicaragua's
    text = "MANAGUA - Government troops retook Chinandega, Leon and Masaya on Sunday."
    ids = [e.place.id for e in run(text) if e.kind == EventKind.control_change and e.place]
    assert ids and all(i.startswith("ni/") for i in ids)
    # 'San Pedro' names big towns in several countries: an Ivorian report means the Ivorian port
    text = "Rebels took Bouake and Soubre on Monday. The fighters later seized San Pedro, a port on the coast."
    ids = [e.place.id for e in run(text) if e.kind == EventKind.control_change and e.place]
    assert ids and all(i.startswith("ci/") for i in ids)
    # a side's nationality is no place: a far larger namesake stays what the name means
    text = "Russian forces shelled Donetsk on Monday."
    assert [e.place.id for e in run(text) if e.place] == ["ua/donetsk/donetsk"]
