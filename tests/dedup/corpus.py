"""Reports written for the dedup tests: happenings told in several wordings, plus syndicated copies.

Every sentence here was written for these tests. `overlapping_reports()` builds 50 reports in which
each happening is told by several outlets in different words (independent sources) and some
reports are reprinted by other outlets under a new headline (syndicated copies).
"""

from __future__ import annotations

from typing import Any

# (publication day, sentence variants): each variant tells the same happening in other words.
HAPPENINGS: list[tuple[str, list[str]]] = [
    (
        "2017-10-15",
        [
            "The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday, a spokesman said.",
            "Tabqa fell to the Syrian Democratic Forces on Saturday after weeks of fighting against Islamic State militants, residents said.",
            "Kurdish-led fighters took full control of Tabqa on Saturday, a Britain-based war monitor said.",
        ],
    ),
    (
        "2017-10-14",
        [
            "Syrian government forces recaptured the town of Palmyra from the Islamic State group on Friday, the army said.",
            "The Syrian army said its troops retook Palmyra from Islamic State fighters on Friday after a three-day push.",
            "Government troops regained control of Palmyra from the jihadists on Friday, state television reported.",
        ],
    ),
    (
        "2017-10-13",
        [
            "Iraqi forces retook the town of Tal Afar from Islamic State militants on Thursday, the Iraqi army said.",
            "Iraqi troops recaptured Tal Afar from the Islamic State group on Thursday, a military statement said.",
            "The Iraqi army announced on Thursday that its units had seized Tal Afar from Islamic State.",
        ],
    ),
    (
        "2017-10-14",
        [
            "At least 19 civilians died in an air raid on Manbij on Friday, medics said.",
            "An air strike on Manbij killed at least 19 civilians on Friday, according to local medics.",
            "Medics in Manbij said an air strike on Friday had killed at least 19 civilians, most of them women.",
        ],
    ),
    (
        "2017-10-14",
        [
            "More than 200 Islamic State fighters surrendered to the Syrian Democratic Forces in Raqqa on Saturday.",
            "On Saturday more than 200 Islamic State militants in Raqqa surrendered to the Syrian Democratic Forces.",
            "Over 200 fighters of the Islamic State group gave themselves up to the Syrian Democratic Forces in Raqqa on Saturday.",
        ],
    ),
    (
        "2017-10-14",
        [
            "An air strike hit a market in Deir ez-Zor on Friday, killing at least 12 civilians, activists said.",
            "At least 12 civilians died when warplanes struck a market in Deir ez-Zor on Friday, activists reported.",
            "Activists said warplanes hit a crowded market in Deir ez-Zor on Friday, killing at least 12 civilians.",
        ],
    ),
    (
        "2017-10-15",
        [
            "Syrian rebels seized the town of Jarablus from the Islamic State group on Saturday.",
            "Rebel fighters drove Islamic State out of Jarablus on Saturday and seized the town, a commander said.",
            "Jarablus was seized by Syrian rebels from Islamic State militants on Saturday, witnesses said.",
        ],
    ),
    (
        "2017-10-15",
        [
            "The Iraqi army captured the Mosul airport from Islamic State fighters on Saturday.",
            "Iraqi troops seized Mosul airport from the Islamic State group on Saturday, officers said.",
            "On Saturday the Iraqi army took Mosul airport from Islamic State militants after heavy clashes.",
        ],
    ),
    (
        "2017-10-15",
        [
            "Hezbollah fighters captured the town of Qusayr on Saturday, Lebanese media said.",
            "Lebanese media said Hezbollah fighters had taken Qusayr on Saturday after a night of fighting.",
            "Qusayr fell to Hezbollah fighters on Saturday, according to Lebanese media.",
        ],
    ),
]

# Figures for one quantity, Raqqa's trapped civilians: (publication day, wordings). On the 14th two
# outlets say 4,000 and one says 3,000 (a conflict kept as a range); on the 16th the figure is 8,000.
COUNTS: list[tuple[str, list[str]]] = [
    (
        "2017-10-14",
        [
            "An estimated 4,000 civilians remain trapped inside Raqqa, the United Nations said.",
            "The United Nations estimates that 4,000 civilians remain trapped inside Raqqa.",
            "Around 4,000 people are still trapped in Raqqa, an aid official said.",
        ],
    ),
    ("2017-10-14", ["Some 3,000 civilians remain trapped in Raqqa, a local council said."]),
    (
        "2017-10-16",
        [
            "Aid workers said about 8,000 civilians were trapped in Raqqa.",
            "Some 8,000 civilians are now trapped in Raqqa, a relief group said.",
        ],
    ),
]

HISTORY = [
    ("2017-10-14", "Islamic State militants seized Palmyra in 2015, destroying parts of its ancient ruins."),
    (
        "2017-10-16",
        "Palmyra was captured by Islamic State militants in 2015, when they destroyed parts of its ancient ruins.",
    ),
    ("2017-10-16", "In 2015 Islamic State fighters seized Palmyra and blew up several of its temples."),
]

OUTLETS = ["Field desk", "Levant Monitor", "Border Radio", "Valley Herald", "Coast Courier", "Night Wire"]
MIRRORS = ["Mirror Daily", "Echo Post", "Relay News", "Reprint Times"]

CLOSINGS = [
    "Aid agencies asked for safe corridors.",
    "Roads into the area stayed closed to journalists.",
    "Electricity was cut in several districts.",
    "Local clinics reported shortages of medicine.",
    "Schools in the province have been shut for months.",
    "Bakeries were running out of flour, residents said.",
    "Mobile phone networks were down for most of the day.",
    "Several families were sheltering in basements.",
    "Water trucks reached the outskirts in the evening.",
    "Mines left along the roads slowed the advance.",
]


def report(report_id: str, source: str, day: str, text: str, hour: int = 9, title: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": report_id,
        "source": source,
        "published_at": f"{day}T{hour:02d}:00:00Z",
        "text": text,
    }
    if title:
        item["title"] = title
    return item


def overlapping_reports() -> list[dict[str, Any]]:
    """50 reports: 36 originals (27 tellings of 9 happenings, 6 figures, 3 history mentions), 14 copies."""
    originals: list[dict[str, Any]] = []
    for h, (day, variants) in enumerate(HAPPENINGS):
        for v, sentence in enumerate(variants):
            closing = CLOSINGS[(h * 3 + v) % len(CLOSINGS)]
            text = f"{sentence} {closing}"
            originals.append(report(f"o{len(originals):02d}", OUTLETS[(h + v) % len(OUTLETS)], day, text, 8 + v))
    for c, (day, variants) in enumerate(COUNTS):
        for v, sentence in enumerate(variants):
            source = OUTLETS[(c * 2 + v) % len(OUTLETS)]
            originals.append(report(f"o{len(originals):02d}", source, day, sentence, 10 + v))
    for v, (day, sentence) in enumerate(HISTORY):
        originals.append(report(f"o{len(originals):02d}", OUTLETS[v + 3], day, sentence, 12 + v))
    copies = []
    for k in range(14):
        original = originals[(k * 5) % len(originals) if k < 13 else 0]
        copies.append(
            report(
                f"c{k:02d}",
                MIRRORS[k % len(MIRRORS)],
                original["published_at"][:10],
                f"REPRINT - {original['text']}",
                hour=int(original["published_at"][11:13]) + 1,
                title=f"Copy {k} of {original['id']}",
            )
        )
    return originals + copies
