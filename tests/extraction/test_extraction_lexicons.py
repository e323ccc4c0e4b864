from __future__ import annotations

from workers.extraction.lexicons import fold, load, slug

from .conftest import controls


def test_lexicons_load_once() -> None:
    assert load() is load()


def test_aliases_normalise_to_stable_ids() -> None:
    for text, expected in [
        ("Daesh captured Hawija.", "islamic-state"),
        ("ISIL captured Hawija.", "islamic-state"),
        ("The regime recaptured Hama.", "syrian-government"),
        ("Jabhat Fateh al-Sham seized Idlib.", "nusra-qaeda"),
        ("Iraqi forces recaptured Ramadi.", "iraqi-government"),
    ]:
        found = controls(text)
        assert found and found[0].actor is not None and found[0].actor.id == expected, text


def test_short_aliases_need_capitals() -> None:
    assert controls("It is captured nothing.") == []


def test_gazetteer_coordinates_and_spelling_variants() -> None:
    for text in ("Rebels captured Deir Ezzor.", "Rebels captured Deir el-Zour."):
        found = controls(text)
        assert found and found[0].place is not None and found[0].place.name == "Deir ez-Zor", text
        assert found[0].place.lat is not None and found[0].place.resolved


def test_world_city_from_geonames() -> None:
    found = controls("Separatist fighters seized Donetsk on Friday.")
    assert found and found[0].place is not None and found[0].place.resolved and found[0].place.country == "Ukraine"


def test_fold_and_slug() -> None:
    assert fold("Ḩamāh") == "hamah"
    assert slug("U.S.-backed forces") == "u-s-backed-forces"
