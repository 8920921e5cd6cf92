#!/usr/bin/env python3
"""Generate the raw-text + gazetteer sample in `assets/dictionary` (stdlib only).

Everything is invented: English news-style sentences from hand-written templates whose
slots are filled with made-up names, and a gazetteer (term, type) that knows most of
those names, but not all of them, as a real dictionary would:

* gaps          -- about one name in five is missing from the gazetteer;
* partial names -- some people are listed by surname only, which then also fires
                   inside organisation names built from that surname;
* ambiguous     -- a few terms are listed under two types (the majority type wins,
                   ties go to the type listed first: see `dynclean annotate`);
* common words  -- a few capitalised common words ("March", "Grant") are entries.

There are no gold labels: the texts exist to be labelled by `dynclean annotate`.

Usage::

    python3 scripts/make_dictionary_sample.py [--out assets/dictionary] [--seed 0] [--lines 400]

The same seed gives byte-identical files (one `random.Random(seed)`, lists only).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FIRST = (
    "Alder",
    "Brisa",
    "Caelan",
    "Dorit",
    "Elspeth",
    "Fenwick",
    "Galina",
    "Hollis",
    "Ismay",
    "Joren",
    "Kalinda",
    "Lazlo",
    "Marit",
    "Nevin",
    "Odalys",
    "Perrin",
    "Quilla",
    "Rennick",
    "Saoirse",
    "Tamsin",
    "Ulric",
    "Valka",
    "Wendell",
    "Xanthe",
    "Yorick",
    "Zelie",
    "Anselma",
    "Bertrand",
    "Corisande",
    "Dacian",
)
LAST = (
    "Ashgrove",
    "Brannock",
    "Calloway",
    "Drummond",
    "Everleigh",
    "Fairweather",
    "Grimsby",
    "Halvorsen",
    "Ingleby",
    "Jessup",
    "Kettering",
    "Lindqvist",
    "Mortlake",
    "Nethercott",
    "Oakhurst",
    "Pendergast",
    "Quenby",
    "Rowntree",
    "Stanwick",
    "Thornbury",
    "Underhill",
    "Vasquez-Mora",
    "Whitcombe",
    "Yardley",
)
ORG = (
    "Halvorsen Motors",
    "Brightwater Bank",
    "Northgate United",
    "Kestrel Airways",
    "Veltria Telecom",
    "Ministry of Harbours",
    "Corvale Institute",
    "Amberley Rovers",
    "Tavrin Steelworks",
    "Sallow Bay Press",
    "Quorra Mining Group",
    "Oakhurst Foods",
    "Greymantle Partners",
    "Varnholm Athletic",
    "Lumen Pharmaceuticals",
    "Brelland National Party",
    "Harbour Workers Union",
    "Elmstead College",
    "Redfern Capital",
    "Pinecrest Energy",
    "Calloway Holdings",
    "Orison Software",
    "Dunmarrow City",
    "Westmarch Courier",
    "Silverline Rail",
    "Korvany Football Federation",
    "Stonebridge Hospital",
    "Marrowgate Council",
    "Tidewell Insurance",
    "Nova Kessly",
)
LOC = (
    "Veltria",
    "Brelland",
    "Korvany",
    "Quorra",
    "Tavrin",
    "Varnholm",
    "Dunmarrow",
    "Kessly",
    "Port Ellery",
    "Sallow Bay",
    "New Harwick",
    "Elmstead",
    "Lake Terrin",
    "Mount Asker",
    "Greyhaven",
    "Amberley",
    "Corvale",
    "Marlow",
    "Westmarch",
    "the Orin Valley",
    "Redwater",
    "Fenmoor",
    "Castleby",
    "Northgate",
    "Halden Strait",
    "Saint Aubrel",
    "Ostmark",
    "Pinecrest",
    "Marrowgate",
    "Tidewell",
)
MISC = (
    "Veltrian",
    "Brellish",
    "Korvani",
    "Tavrinese",
    "Quorran",
    "Harvest Cup",
    "Golden Quill Award",
    "Northern Games",
    "Solstice Marathon",
    "Kessly Open",
    "Harbour Festival",
    "Varnholm Accord",
    "Elmstead Prize",
    "Winter Regatta",
    "Orin Charter",
    "Ostmark Grand Prix",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBERS = (
    "two",
    "three",
    "four",
    "five",
    "12",
    "15",
    "20",
    "35",
    "40",
    "120",
    "300",
    "1,200",
)

TEMPLATES = (
    "{PER}, chief executive of {ORG}, said on {DAY} that profits would rise.",
    "{ORG} announced {NUM} new jobs at its plant in {LOC}.",
    "Police in {LOC} said {NUM} people were hurt when a bus overturned on {DAY}.",
    "{PER} scored twice as {ORG} beat {ORG2} 3-1 in {LOC}.",
    "The {MISC} government will meet {ORG} officials in {LOC} next week.",
    "{PER} won the {MISC} for the second year running.",
    "Shares in {ORG} fell {NUM} percent after the {LOC} regulator opened an inquiry.",
    "{PER} told reporters in {LOC} that the talks had been constructive.",
    "The {MISC} starts in {LOC} on {DAY} with {NUM} teams.",
    "{PER} of {ORG} was named coach of the year.",
    "Floods closed roads between {LOC} and {LOC2} for {NUM} days.",
    "{ORG} agreed to buy {ORG2} for an undisclosed sum.",
    "{PER} met {PER2} in {LOC} to discuss the {MISC}.",
    "Voters in {LOC} backed the {ORG} by a wide margin.",
    "{MISC} exports to {LOC} rose sharply last year, {ORG} said.",
    "A spokesman for {ORG} declined to comment on the report.",
    "{PER} resigned from {ORG} after {NUM} years.",
    "The {MISC} fleet docked at {LOC} early on {DAY}.",
    "{PER}, a {MISC} engineer, designed the new bridge at {LOC}.",
    "Tickets for the {MISC} sold out within {NUM} hours, organisers in {LOC} said.",
    "{ORG} will open an office in {LOC} in March.",
    "In {LOC}, {PER} said the strike would go ahead.",
    "{PER} and {PER2} will lead the {ORG} delegation.",
    "The court in {LOC} fined {ORG} {NUM} million crowns.",
    "{PER} finished third behind {PER2} at the {MISC}.",
    "Heavy snow fell across {LOC} on {DAY}.",
    "{ORG} said it received a grant from {ORG2}.",
    "{PER} flew to {LOC} on {DAY} for the signing of the {MISC}.",
    "Fans of {ORG} gathered outside the stadium in {LOC}.",
    "{PER} said {ORG} had no plans to leave {LOC}.",
)
FILLERS = (
    "Markets were quiet ahead of the holiday weekend.",
    "The weather is expected to improve later in the week.",
    "Officials said more details would follow.",
    "Prices for fresh vegetables rose again in March.",
    "No one was injured in the incident.",
    "The match was postponed because of heavy rain.",
    "Analysts expect interest rates to stay unchanged.",
    "The report will be published on Friday.",
    "Will the new rules change anything, critics asked.",
    "Grant applications close at the end of the month.",
)


def people(rng: random.Random, n: int) -> list[str]:
    """`n` distinct invented full names (first + last)."""
    names: list[str] = []
    while len(names) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    return names


def gazetteer(rng: random.Random, per: list[str]) -> list[tuple[str, str]]:
    """(term, type) rows: most names, with gaps, surnames, ambiguous terms and common words."""
    rows: list[tuple[str, str]] = []
    for label, names in (
        ("PER", per),
        ("ORG", list(ORG)),
        ("LOC", list(LOC)),
        ("MISC", list(MISC)),
    ):
        gaps = set(rng.sample(range(len(names)), len(names) // 5))
        rows += [(name, label) for i, name in enumerate(names) if i not in gaps]
    surnames = sorted({name.split()[1] for name in per})
    rows += [(surname, "PER") for surname in rng.sample(surnames, 8)]
    rows += [
        ("Marlow", "PER"),
        ("Marlow", "LOC"),  # LOC twice (once above unless a gap), PER once
        ("Kestrel", "ORG"),
        ("Kestrel", "MISC"),  # a tie: the type listed first wins
        ("Northgate", "ORG"),  # also a LOC (unless a gap): another tie
        ("March", "PER"),
        ("Grant", "PER"),
        ("Will", "PER"),  # common words
    ]
    rng.shuffle(rows)
    return rows


def sentence(rng: random.Random, per: list[str]) -> str:
    if rng.random() < 0.15:
        return rng.choice(FILLERS)
    template = rng.choice(TEMPLATES)
    slots = {"DAY": rng.choice(DAYS), "NUM": rng.choice(NUMBERS)}
    for slot, names in (("PER", per), ("ORG", ORG), ("LOC", LOC), ("MISC", MISC)):
        first, second = rng.sample(list(names), 2)
        slots[slot], slots[f"{slot}2"] = first, second
    return template.format(**slots)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("assets/dictionary"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lines", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    per = people(rng, 60)
    rows = gazetteer(rng, per)
    texts = [sentence(rng, per) for _ in range(args.lines)]
    args.out.mkdir(parents=True, exist_ok=True)
    table = "term\ttype\n" + "".join(f"{term}\t{label}\n" for term, label in rows)
    (args.out / "gazetteer.tsv").write_text(table, encoding="utf-8")
    (args.out / "texts.txt").write_text(
        "".join(f"{text}\n" for text in texts), encoding="utf-8"
    )
    print(
        f"Wrote {len(texts)} sentences and {len(rows)} gazetteer entries to {args.out}"
    )


if __name__ == "__main__":
    main()
