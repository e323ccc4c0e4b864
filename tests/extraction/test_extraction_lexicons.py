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
        assert found and found[0].place is not None and found[0].place.id == "deir-ez-zor", text
        assert found[0].place.lat is not None and found[0].place.resolved
        assert found[0].place.name == text.removeprefix("Rebels captured ").rstrip(".")  # shown as written


def test_a_place_is_shown_as_the_report_spells_it_and_joined_by_its_id() -> None:
    text = (
        "Coalition troops said they had taken Hodeida airport. Houthi fighters have held Hodeida since 2014, "
        "and the city's port is theirs."
    )
    found = controls(text)
    names = {e.place.name: e.place.id for e in found if e.place is not None}
    assert names.get("Hodeida airport", "").endswith("/airport") and "Hodeida" in names
    assert names["Hodeida airport"].startswith(names["Hodeida"] + "/")  # one gazetteer place behind both spellings
    assert all("Hudaydah" not in name for name in names)
    # a country and a shouted dateline keep the gazetteer's own name
    dated = controls("KHARTOUM (Reuters) - Sudanese troops retook Omdurman. Separatists seized Donetsk in 2014.")
    assert all(e.place is not None and not e.place.name.isupper() for e in dated)


def test_world_city_from_geonames() -> None:
    found = controls("Separatist fighters seized Donetsk on Friday.")
    assert found and found[0].place is not None and found[0].place.resolved and found[0].place.country == "Ukraine"


def test_fold_and_slug() -> None:
    assert fold("Ḩamāh") == "hamah"
    assert slug("U.S.-backed forces") == "u-s-backed-forces"
