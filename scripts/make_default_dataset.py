#!/usr/bin/env python3
"""Generate the project's embedded default DS-NER dataset.

The dataset is synthetic and entirely our own: English news/encyclopedia-style
sentences are produced from hand-written templates whose slots are filled from
invented name lists (both in ``default_dataset_data.py``), so the gold labels come
from the templates.  The distant (noisy) training labels are then produced the way
real distant supervision produces them: a lookup of the tokens in a simulated
dictionary ("knowledge base") by the matcher of ``dynclean annotate`` (of
overlapping matches the longest wins, ties going to the earliest start).  All label
noise comes from the dictionary contents:

* dictionary gaps      -- many entity strings are simply not in the dictionary;
* ambiguous names      -- a string is in the dictionary under another type
                          ("Austin" the city vs. "Austin" the first name);
* partial entries      -- the dictionary knows only part of a multi-token name
                          (a first name, "Bank", a city inside a club name);
* common-word entries  -- capitalised common words ("March", "Will", "Police")
                          are dictionary entries although the gold says O.

Train, dev and test share the same name catalogue and dictionary, but dev and
test also draw from held-out names that never occur in train, so generalising
beyond memorised names is rewarded.

Usage::

    python3 scripts/make_default_dataset.py [--out assets/default] [--seed 0]

It needs spacy-dynclean installed: the distant labels come from its matcher.

Rerunning with the same seed gives byte-identical files (every random choice
comes from ``random.Random`` instances seeded with ``seed``; no set or hash
order is ever iterated).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from default_dataset_data import (
    AMBIGUOUS_NAMES,
    CITY_NAMES,
    CLUB_PATTERNS,
    COMMON_WORD_ENTRIES,
    COMPANY_SUFFIXES,
    COUNTRIES,
    ENTITY_TEMPLATES,
    EVENT_CITY_PATTERNS,
    EVENT_KINDS,
    EVENT_NAT_PATTERNS,
    EVENT_STEM_PATTERNS,
    FILLER_TEMPLATES,
    FIRST_NAMES,
    GEO_PATTERNS,
    GEO_STEMS,
    INSTITUTION_SUFFIXES,
    LAST_NAMES,
    MEDIA_PATTERNS,
    MINISTRY_TOPICS,
    MONTHS,
    NATIONAL_ORG_PATTERNS,
    NO_PREFIX_WORDS,
    NO_SUFFIX_WORDS,
    ORG_STEMS,
    PER_TITLES,
    PREFIXES,
    PRODUCT_MODELS,
    RIVER_NAMES,
    SUFFIXES,
    UNIVERSITY_PATTERNS,
    WEEKDAYS,
)
from spacy.tokens import Doc

from spacy_dynclean.io.annotate import AnnotateNotes, DictionaryMatcher, Gazetteer, Key

LABELS: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")
SPLIT_SIZES: dict[str, int] = {"train": 1500, "dev": 300, "test": 300}
MIN_TOKENS, MAX_TOKENS = 8, 30
HELDOUT_FRACTION = 0.2  # share of each name list reserved for dev/test
HELDOUT_DRAW = 0.35  # probability that a dev/test entity slot uses a held-out name
FILLER_RATE = 0.2  # share of sentences drawn from the entity-free templates
PREFIX_RATE = 0.25  # share of entity sentences given an introductory phrase
SUFFIX_RATE = 0.2  # share of entity sentences given a closing attribution

# ---------------------------------------------------------------------------
# Data structures
# ---------------------------------------------------------------------------

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Entity:
    """A catalogue entity: its tokens, gold label, slot kind and split status.

    ``core`` is the distinctive part of a patterned name ("Kestrel" in
    "Kestrel Holdings"), the part a knowledge base may list on its own.
    """

    tokens: tuple[str, ...]
    label: str
    kind: str
    heldout: bool
    core: tuple[str, ...] = ()


@dataclass
class Sentence:
    """A tokenised sentence with inclusive ``(first, last, label)`` spans."""

    tokens: list[str]
    entities: list[Span] = field(default_factory=list)

    def to_json(self) -> dict:
        """Return the benchmark JSON record."""
        return {"tokens": self.tokens, "entities": [list(e) for e in self.entities]}


@dataclass
class Catalogue:
    """Entities per slot kind, split into seen (all splits) and held-out pools."""

    seen: dict[str, list[Entity]]
    heldout: dict[str, list[Entity]]

    def seen_entities(self) -> list[Entity]:
        """Every entity of the seen pools, in a fixed order."""
        return [entity for kind in self.seen for entity in self.seen[kind]]


# ---------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------


def split_names(
    names: Sequence[str], rng: random.Random
) -> tuple[list[str], list[str]]:
    """Shuffle ``names`` and reserve ``HELDOUT_FRACTION`` of them for dev/test."""
    shuffled = list(dict.fromkeys(names))
    rng.shuffle(shuffled)
    cut = int(round(len(shuffled) * HELDOUT_FRACTION))
    return shuffled[cut:], shuffled[:cut]


def put(
    pool: list[Entity],
    texts: dict[str, None],
    text: str,
    label: str,
    kind: str,
    heldout: bool,
    core: str = "",
) -> None:
    """Catalogue a new entity (see :func:`make_entity`) unless its string exists."""
    add_unique(pool, texts, make_entity(text, label, kind, heldout, core))


def make_entity(
    text: str, label: str, kind: str, heldout: bool, core: str = ""
) -> Entity:
    """Build an :class:`Entity` from space-separated strings."""
    tokens = tuple(text.split())
    return Entity(tokens, label, kind, heldout, tuple(core.split()) or tokens)


def add_unique(pool: list[Entity], seen_texts: dict[str, None], entity: Entity) -> None:
    """Append ``entity`` to ``pool`` unless its string is already catalogued."""
    key = " ".join(entity.tokens)
    if key not in seen_texts:
        seen_texts[key] = None
        pool.append(entity)


def build_people(
    rng: random.Random,
    firsts: tuple[list[str], list[str]],
    lasts: tuple[list[str], list[str]],
    texts: dict[str, None],
) -> tuple[list[Entity], list[Entity]]:
    """Persons; held-out ones have a held-out surname (first name from any pool)."""
    seen: list[Entity] = []
    held: list[Entity] = []
    all_firsts = firsts[0] + firsts[1]
    for heldout, pool, n in ((False, seen, 380), (True, held, 110)):
        surnames = lasts[1] if heldout else lasts[0]
        given = all_firsts if heldout else firsts[0]
        for _ in range(n * 3):
            if len(pool) >= n:
                break
            first, last = rng.choice(given), rng.choice(surnames)
            if first == last:
                continue
            middle = (
                f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.06 else ""
            )
            add_unique(
                pool,
                texts,
                make_entity(f"{first}{middle} {last}", "PER", "PER", heldout),
            )
    return seen, held


def build_orgs(
    rng: random.Random,
    stems: tuple[list[str], list[str]],
    cities: tuple[list[str], list[str]],
    nats: tuple[list[str], list[str]],
    texts: dict[str, None],
) -> tuple[dict[str, list[Entity]], dict[str, list[Entity]]]:
    """Companies, clubs, institutions, media and government bodies."""
    seen: dict[str, list[Entity]] = {
        k: [] for k in ("COMPANY", "CLUB", "INST", "MEDIA", "GOV")
    }
    held: dict[str, list[Entity]] = {k: [] for k in seen}
    for heldout, out in ((False, seen), (True, held)):
        idx = 1 if heldout else 0
        for stem in stems[idx]:
            for suffix in rng.sample(COMPANY_SUFFIXES, 2):
                put(
                    out["COMPANY"],
                    texts,
                    f"{stem} {suffix}",
                    "ORG",
                    "COMPANY",
                    heldout,
                    stem,
                )
            if rng.random() < 0.3:
                put(out["COMPANY"], texts, stem, "ORG", "COMPANY", heldout)
            if rng.random() < 0.6:
                suffix = rng.choice(INSTITUTION_SUFFIXES)
                put(
                    out["INST"], texts, f"{stem} {suffix}", "ORG", "INST", heldout, stem
                )
        for _ in range(12 if heldout else 45):
            acronym = "".join(
                rng.choice("ABCDEFGHIKLMNPRSTUVW") for _ in range(rng.randint(3, 4))
            )
            put(out["COMPANY"], texts, acronym, "ORG", "COMPANY", heldout)
        for city in cities[idx]:
            if rng.random() < 0.7:
                name = rng.choice(CLUB_PATTERNS).format(city)
                put(out["CLUB"], texts, name, "ORG", "CLUB", heldout, city)
            if rng.random() < 0.4:
                name = rng.choice(UNIVERSITY_PATTERNS).format(city)
                put(out["INST"], texts, name, "ORG", "INST", heldout, city)
            if rng.random() < 0.3:
                name = rng.choice(MEDIA_PATTERNS).format(city)
                put(out["MEDIA"], texts, name, "ORG", "MEDIA", heldout, city)
        for nat in nats[idx]:
            for pattern in rng.sample(NATIONAL_ORG_PATTERNS, 3):
                kind = "MEDIA" if "Broadcasting" in pattern else "GOV"
                put(out[kind], texts, pattern.format(nat), "ORG", kind, heldout, nat)
        if not heldout:
            for topic in MINISTRY_TOPICS:
                put(
                    out["GOV"],
                    texts,
                    f"Ministry of {topic}",
                    "ORG",
                    "GOV",
                    False,
                    "Ministry",
                )
    return seen, held


def build_locations(
    rng: random.Random,
    cities: tuple[list[str], list[str]],
    countries: tuple[list[str], list[str]],
    rivers: tuple[list[str], list[str]],
    geo: tuple[list[str], list[str]],
    texts: dict[str, None],
) -> tuple[dict[str, list[Entity]], dict[str, list[Entity]]]:
    """Cities, countries, rivers and other geographic features."""
    seen: dict[str, list[Entity]] = {k: [] for k in ("CITY", "COUNTRY", "RIVER", "GEO")}
    held: dict[str, list[Entity]] = {k: [] for k in seen}
    for idx, out in ((0, seen), (1, held)):
        heldout = idx == 1
        for city in cities[idx]:
            put(out["CITY"], texts, city, "LOC", "CITY", heldout)
        for country in countries[idx]:
            put(out["COUNTRY"], texts, country, "LOC", "COUNTRY", heldout)
        for river in rivers[idx]:
            text = f"{river} River" if rng.random() < 0.5 else f"River {river}"
            put(out["RIVER"], texts, text, "LOC", "RIVER", heldout, river)
        for stem in geo[idx]:
            for pattern in rng.sample(GEO_PATTERNS, 2):
                put(
                    out["GEO"], texts, pattern.format(stem), "LOC", "GEO", heldout, stem
                )
    return seen, held


def add_event(
    rng: random.Random,
    out: dict[str, list[Entity]],
    texts: dict[str, None],
    patterns: Sequence[tuple[str, str]],
    core: str,
    heldout: bool,
) -> None:
    """Add one event named after ``core`` with a randomly chosen pattern."""
    pattern, kind = rng.choice(patterns)
    put(out[kind], texts, pattern.format(core), "MISC", kind, heldout, core)


def build_misc(
    rng: random.Random,
    stems: tuple[list[str], list[str]],
    cities: tuple[list[str], list[str]],
    nats: tuple[list[str], list[str]],
    texts: dict[str, None],
) -> tuple[dict[str, list[Entity]], dict[str, list[Entity]]]:
    """Nationalities, events and products."""
    seen: dict[str, list[Entity]] = {k: [] for k in ("NAT", "PRODUCT") + EVENT_KINDS}
    held: dict[str, list[Entity]] = {k: [] for k in seen}
    for idx, out in ((0, seen), (1, held)):
        heldout = idx == 1
        for nat in nats[idx]:
            put(out["NAT"], texts, nat, "MISC", "NAT", heldout)
            if rng.random() < 0.6:
                add_event(rng, out, texts, EVENT_NAT_PATTERNS, nat, heldout)
        for city in cities[idx]:
            if rng.random() < 0.45:
                add_event(rng, out, texts, EVENT_CITY_PATTERNS, city, heldout)
        for stem in stems[idx]:
            if rng.random() < 0.45:
                add_event(rng, out, texts, EVENT_STEM_PATTERNS, stem, heldout)
            if rng.random() < 0.45:
                model = rng.choice(PRODUCT_MODELS)
                put(
                    out["PRODUCT"],
                    texts,
                    f"{stem} {model}",
                    "MISC",
                    "PRODUCT",
                    heldout,
                    stem,
                )
    return seen, held


def build_catalogue(seed: int) -> Catalogue:
    """Build every entity of the synthetic world, split into seen and held-out."""
    rng = random.Random(f"{seed}:catalogue")
    firsts = split_names(FIRST_NAMES + AMBIGUOUS_NAMES[::2], rng)
    lasts = split_names(LAST_NAMES + AMBIGUOUS_NAMES[1::2], rng)
    cities = split_names(CITY_NAMES, rng)
    country_pairs = split_names([f"{c}|{n}" for c, n in COUNTRIES], rng)
    countries = tuple([p.split("|")[0] for p in part] for part in country_pairs)
    nats = tuple([p.split("|")[1] for p in part] for part in country_pairs)
    rivers = split_names(RIVER_NAMES, rng)
    geo = split_names(GEO_STEMS, rng)
    stems = split_names(ORG_STEMS, rng)
    texts: dict[str, None] = {}
    seen: dict[str, list[Entity]] = {}
    held: dict[str, list[Entity]] = {}
    # Places first, so that a string used as a place keeps its place entity.
    for s, h in (
        build_locations(rng, cities, countries, rivers, geo, texts),
        build_misc(rng, stems, cities, nats, texts),
        build_orgs(rng, stems, cities, nats, texts),
    ):
        seen.update(s)
        held.update(h)
    seen["PER"], held["PER"] = build_people(rng, firsts, lasts, texts)
    for pools in (seen, held):
        for kind in pools:
            rng.shuffle(pools[kind])  # order = popularity rank (Zipf weights)
    return Catalogue(seen, held)


# ---------------------------------------------------------------------------
# Sentence generation
# ---------------------------------------------------------------------------

SLOT_KINDS: dict[str, tuple[str, ...]] = {
    "PER": ("PER",),
    "COMPANY": ("COMPANY",),
    "CLUB": ("CLUB",),
    "INST": ("INST",),
    "MEDIA": ("MEDIA",),
    "GOV": ("GOV",),
    "ORG": ("COMPANY", "INST", "GOV", "MEDIA"),
    "CITY": ("CITY",),
    "COUNTRY": ("COUNTRY",),
    "RIVER": ("RIVER",),
    "GEO": ("GEO",),
    "LOC": ("CITY", "COUNTRY"),
    "NAT": ("NAT",),
    "PRODUCT": ("PRODUCT",),
    "CONTEST": ("CONTEST",),
    "FESTIVAL": ("FESTIVAL",),
    "PRIZE": ("PRIZE",),
    "TREATY": ("TREATY",),
    "WAR": ("WAR",),
    "EVENT": ("CONTEST", "FESTIVAL"),
    "WIN": ("CONTEST", "PRIZE"),
    "MISC": ("CONTEST", "FESTIVAL", "PRIZE", "PRODUCT"),
}


def zipf_pick(rng: random.Random, pool: Sequence[Entity]) -> Entity:
    """Pick from ``pool`` with Zipf-like weights (earlier entries are more popular)."""
    weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(pool))]
    return rng.choices(pool, weights=weights, k=1)[0]


def pick_entity(
    rng: random.Random, catalogue: Catalogue, slot: str, heldout_draw: float
) -> Entity:
    """Draw an entity for ``slot``; with ``heldout_draw`` probability a held-out one."""
    kind = rng.choice(SLOT_KINDS[slot])
    use_heldout = rng.random() < heldout_draw and bool(catalogue.heldout[kind])
    pools = catalogue.heldout if use_heldout else catalogue.seen
    return zipf_pick(rng, pools[kind])


def fill_plain_slot(rng: random.Random, slot: str) -> list[str]:
    """Tokens for a non-entity slot."""
    if slot == "MONTH":
        return [rng.choice(MONTHS)]
    if slot == "DAY":
        return [rng.choice(WEEKDAYS)]
    if slot == "NUM":
        return [str(rng.randint(10, 900))]
    if slot == "SMALL":
        return [str(rng.randint(2, 20))]
    if slot == "SCORE":
        return [str(rng.randint(0, 5))]
    if slot == "AGE":
        return [str(rng.randint(19, 94))]
    if slot == "BIG":
        return [f"{rng.randint(1, 90)},{rng.randint(0, 999):03d}"]
    if slot == "YEAR":
        return [str(rng.randint(1950, 2023))]
    if slot == "TITLE":
        return [rng.choice(PER_TITLES)]
    if slot == "PCT":
        return [f"{rng.randint(1, 40)}.{rng.randint(0, 9)}"]
    if slot == "MONEY":
        return [f"{rng.randint(2, 900)}"]
    raise ValueError(f"unknown slot {slot!r}")


def realise(
    template: str, rng: random.Random, catalogue: Catalogue, heldout_draw: float
) -> Sentence:
    """Fill a template's slots; gold spans come from the entity slots."""
    sentence = Sentence(tokens=[])
    last_person: Entity | None = None
    for piece in template.split():
        if not (piece.startswith("{") and piece.endswith("}")):
            sentence.tokens.append(piece)
            continue
        slot = piece[1:-1]
        if slot == "SUR":
            if last_person is None:
                last_person = pick_entity(rng, catalogue, "PER", heldout_draw)
            tokens, label = [last_person.tokens[-1]], "PER"
        elif slot in SLOT_KINDS:
            entity = pick_entity(rng, catalogue, slot, heldout_draw)
            if entity.label == "PER":
                last_person = entity
            tokens, label = list(entity.tokens), entity.label
        else:
            sentence.tokens.extend(fill_plain_slot(rng, slot))
            continue
        start = len(sentence.tokens)
        sentence.tokens.extend(tokens)
        sentence.entities.append((start, len(sentence.tokens) - 1, label))
    first = sentence.tokens[0]
    sentence.tokens[0] = (
        first[:1].upper() + first[1:]
    )  # "coach Rell ..." -> "Coach Rell ..."
    return sentence


def with_prefix(template: str, prefix: str) -> str:
    """Prepend an introductory phrase, lower-casing a literal first word."""
    if any(word in template.split() for word in NO_PREFIX_WORDS):
        return template
    head, _, rest = template.partition(" ")
    if not head.startswith("{"):
        head = head.lower()
    return f"{prefix} {head} {rest}"


def with_suffix(template: str, suffix: str) -> str:
    """Insert a closing phrase before a final full stop (other templates unchanged)."""
    if not template.endswith(" .") or any(
        w in template.split() for w in NO_SUFFIX_WORDS
    ):
        return template
    return f"{template[:-2]} {suffix} ."


def generate_sentence(
    rng: random.Random, catalogue: Catalogue, heldout_draw: float
) -> Sentence:
    """One sentence of 8-30 tokens, entity-bearing or filler."""
    while True:
        if rng.random() < FILLER_RATE:
            template = rng.choice(FILLER_TEMPLATES)
        else:
            template = rng.choice(ENTITY_TEMPLATES)
            if rng.random() < PREFIX_RATE:
                template = with_prefix(template, rng.choice(PREFIXES))
            if rng.random() < SUFFIX_RATE:
                template = with_suffix(template, rng.choice(SUFFIXES))
        sentence = realise(template, rng, catalogue, heldout_draw)
        if MIN_TOKENS <= len(sentence.tokens) <= MAX_TOKENS:
            return sentence


def generate_splits(seed: int, catalogue: Catalogue) -> dict[str, list[Sentence]]:
    """Gold sentences for train (seen names only), dev and test (plus held-out names)."""
    splits: dict[str, list[Sentence]] = {}
    for name, size in SPLIT_SIZES.items():
        rng = random.Random(f"{seed}:{name}")
        draw = 0.0 if name == "train" else HELDOUT_DRAW
        splits[name] = [generate_sentence(rng, catalogue, draw) for _ in range(size)]
    return splits


# ---------------------------------------------------------------------------
# Simulated dictionary and distant labelling
# ---------------------------------------------------------------------------

# Probability that a full entity string is in the dictionary, per slot kind.
COVERAGE: dict[str, float] = {
    "PER": 0.5,
    "COMPANY": 0.5,
    "CLUB": 0.65,
    "INST": 0.5,
    "MEDIA": 0.6,
    "GOV": 0.55,
    "CITY": 0.75,
    "COUNTRY": 0.95,
    "RIVER": 0.6,
    "GEO": 0.5,
    "NAT": 0.8,
    "PRODUCT": 0.35,
    "CONTEST": 0.4,
    "FESTIVAL": 0.35,
    "PRIZE": 0.35,
    "TREATY": 0.3,
    "WAR": 0.45,
}
FIRST_NAME_ENTRY = 0.25  # first names held as PER aliases (partial matches)
SURNAME_ENTRY = 0.3  # surnames held as PER aliases
PARTIAL_ALIAS = 0.15  # a missing multi-token name contributes a partial alias
AMBIGUOUS_AS_PLACE = 0.6  # ambiguous names the dictionary holds as LOC
MISTYPED = 0.1  # entries filed under a related sense's type by the knowledge base
RELATED_TYPE: dict[str, str] = {
    "CLUB": "LOC",  # the club's ground / home town
    "INST": "LOC",  # the campus
    "MEDIA": "MISC",  # the publication as a work
    "CONTEST": "ORG",  # the organising body
    "FESTIVAL": "ORG",
    "PRIZE": "ORG",
    "PRODUCT": "ORG",  # the maker
    "NAT": "LOC",  # the country page
    "PER": "ORG",  # an eponymous firm
}


Dictionary = dict[tuple[str, ...], str]


def build_dictionary(seed: int, catalogue: Catalogue) -> Dictionary:
    """Simulate a gazetteer: gaps, partial aliases, ambiguous senses, common words.

    Only the seen part of the catalogue feeds the dictionary: held-out names are
    unknown both to the training data and to the knowledge base.
    """
    rng = random.Random(f"{seed}:dictionary")
    entries: Dictionary = {}
    aliases: Dictionary = {}
    for entity in catalogue.seen_entities():
        if rng.random() < COVERAGE[entity.kind]:
            label = entity.label
            if entity.kind in RELATED_TYPE and rng.random() < MISTYPED:
                label = RELATED_TYPE[entity.kind]
            entries.setdefault(entity.tokens, label)
        elif (
            entity.core != entity.tokens
            and entity.label != "PER"
            and rng.random() < PARTIAL_ALIAS
        ):
            aliases.setdefault(
                entity.core, entity.label
            )  # "Kestrel" for "Kestrel Holdings"
    people = catalogue.seen["PER"]
    for name in dict.fromkeys(p.tokens[0] for p in people):
        if rng.random() < FIRST_NAME_ENTRY:
            aliases.setdefault((name,), "PER")
    for name in dict.fromkeys(p.tokens[-1] for p in people):
        if rng.random() < SURNAME_ENTRY:
            aliases.setdefault((name,), "PER")
    for key, label in aliases.items():
        entries.setdefault(key, label)
    for name in AMBIGUOUS_NAMES:  # one sense only, whatever the context
        entries[(name,)] = "LOC" if rng.random() < AMBIGUOUS_AS_PLACE else "PER"
    for word, label in COMMON_WORD_ENTRIES:
        entries[(word,)] = label
    return entries


def distant_labeller(dictionary: Dictionary) -> Callable[[Sequence[str]], list[Span]]:
    """Label tokens as ``dynclean annotate`` does, with its matcher: the dictionary's
    entries are case-sensitive terms; of overlapping matches the longest wins, ties
    going to the earliest start."""
    nlp = spacy.blank("en")
    gazetteer = Gazetteer()
    for words, label in dictionary.items():
        gazetteer.add(Key.of(words, lower=False), label)
    matcher = DictionaryMatcher(gazetteer, nlp)

    def label(tokens: Sequence[str]) -> list[Span]:
        doc = matcher(Doc(nlp.vocab, words=list(tokens)), AnnotateNotes())
        return [(ent.start, ent.end - 1, ent.label_) for ent in doc.ents]

    return label


def distant_split(gold: Sequence[Sentence], dictionary: Dictionary) -> list[Sentence]:
    """The same sentences, relabelled by dictionary lookup."""
    label = distant_labeller(dictionary)
    return [Sentence(list(s.tokens), label(s.tokens)) for s in gold]


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------


def overlaps(a: Span, b: Span) -> bool:
    """Whether two inclusive spans share a token."""
    return a[0] <= b[1] and b[0] <= a[1]


def noise_stats(
    distant: Sequence[Sentence], gold: Sequence[Sentence]
) -> dict[str, float]:
    """Entity-level P/R/F1 of distant labels against gold, and error-kind counts."""
    c: Counter[str] = Counter()
    for ds, gs in zip(distant, gold):
        gold_set, ds_set = set(gs.entities), set(ds.entities)
        gold_bounds = {(g[0], g[1]) for g in gs.entities}
        ds_bounds = {(d[0], d[1]) for d in ds.entities}
        c["distant"] += len(ds_set)
        c["gold"] += len(gold_set)
        c["tp"] += len(ds_set & gold_set)
        for d in ds_set - gold_set:
            if (d[0], d[1]) in gold_bounds:
                c["fp_wrong_type"] += 1
            elif any(overlaps(d, g) for g in gs.entities):
                c["fp_wrong_boundary"] += 1
            else:
                c["fp_not_entity"] += 1
        for g in gold_set - ds_set:
            if (g[0], g[1]) in ds_bounds:
                c["fn_wrong_type"] += 1
            elif any(overlaps(g, d) for d in ds.entities):
                c["fn_partial_overlap"] += 1
            else:
                c["fn_no_overlap"] += 1
    stats: dict[str, float] = dict(c)
    p = c["tp"] / c["distant"] if c["distant"] else 0.0
    r = c["tp"] / c["gold"] if c["gold"] else 0.0
    stats.update(precision=p, recall=r, f1=2 * p * r / (p + r) if p + r else 0.0)
    return stats


def split_stats(
    sentences: Sequence[Sentence], train_strings: set[tuple[str, ...]] | None
) -> dict[str, float]:
    """Sentence, token and entity counts of a split, plus held-out and multi-token shares."""
    ents = [(s.tokens[e[0] : e[1] + 1], e[2]) for s in sentences for e in s.entities]
    labels = Counter(label for _, label in ents)
    stats: dict[str, float] = {
        "sentences": len(sentences),
        "tokens": sum(len(s.tokens) for s in sentences),
        "entities": len(ents),
        "multi_token": sum(len(t) > 1 for t, _ in ents) / max(len(ents), 1),
        "no_entity_sents": sum(not s.entities for s in sentences),
    }
    for label in LABELS:
        stats[label] = labels[label]
    if train_strings is not None:
        stats["unseen"] = sum(tuple(t) not in train_strings for t, _ in ents) / max(
            len(ents), 1
        )
    return stats


def render_report(
    splits: dict[str, list[Sentence]],
    noise: dict[str, float],
    test_noise: dict[str, float],
    dictionary: Dictionary,
    catalogue: Catalogue,
    seed: int,
) -> str:
    """The README text: split table, distant-label quality and error breakdown."""
    n_seen = sum(len(pool) for pool in catalogue.seen.values())
    n_held = sum(len(pool) for pool in catalogue.heldout.values())
    train_strings = {
        tuple(s.tokens[e[0] : e[1] + 1]) for s in splits["train"] for e in s.entities
    }
    intro = (
        "Generated by `python3 scripts/make_default_dataset.py --out assets/default "
        f"--seed {seed}`; do not edit by hand. Sentences come from our own templates and "
        "invented names (gold labels from the templates); `train-ds.json` is labelled by "
        "the matcher of `dynclean annotate` (longest match, ties to the earliest start) with "
        f"a simulated dictionary of {len(dictionary)} entries with gaps, ambiguous senses, "
        "partial names and common words. Dev and test also contain "
        "held-out names that are neither in train nor in the dictionary."
    )
    catalogue_note = (
        f"Name catalogue: {n_seen} entities usable in every split, {n_held} held out for "
        f"dev/test only; {len(ENTITY_TEMPLATES)} entity templates and "
        f'{len(FILLER_TEMPLATES)} entity-free filler templates. "unseen in train" is the '
        "share of gold entity mentions whose string never occurs as a gold entity in train."
    )
    lines = [
        "# Default dataset (synthetic)",
        "",
        textwrap.fill(intro, width=88, break_on_hyphens=False),
        "",
        textwrap.fill(catalogue_note, width=88, break_on_hyphens=False),
        "",
        "| split | sentences | tokens | entities | PER | ORG | LOC | MISC | multi-token | no-entity sents | unseen in train |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, sentences in splits.items():
        st = split_stats(sentences, None if name == "train" else train_strings)
        unseen = f"{100 * st['unseen']:.1f}%" if "unseen" in st else "-"
        lines.append(
            f"| {name} | {st['sentences']} | {st['tokens']} | {st['entities']} | {st['PER']} | "
            f"{st['ORG']} | {st['LOC']} | {st['MISC']} | {100 * st['multi_token']:.1f}% | "
            f"{st['no_entity_sents']} | {unseen} |"
        )
    n = noise
    lines += [
        "",
        "Distant labels (`train-ds.json`) against gold (`train-gs.json`), entity level, exact span and type:",
        "",
        "| distant entities | gold entities | correct | precision | recall | F1 |",
        "|---|---|---|---|---|---|",
        f"| {n.get('distant', 0)} | {n.get('gold', 0)} | {n.get('tp', 0)} | "
        f"{100 * n['precision']:.1f} | {100 * n['recall']:.1f} | {100 * n['f1']:.1f} |",
        "",
        "For reference, the same dictionary matcher applied to `test.json` scores "
        f"P {100 * test_noise['precision']:.1f} / R {100 * test_noise['recall']:.1f} / "
        f"F1 {100 * test_noise['f1']:.1f}",
        "(a model trained on the distant labels should beat this).",
        "",
        "Error kinds: a false positive is a distant entity whose exact span and type are not",
        'in gold; a missed entity is a gold entity without an exact distant match. "Wrong',
        'type" errors are counted on both sides (one error, one FP and one FN).',
        "",
        "| error kind | count |",
        "|---|---|",
        f"| false positive: wrong type (span right) | {n.get('fp_wrong_type', 0)} |",
        f"| false positive: wrong boundary (overlaps a gold entity) | {n.get('fp_wrong_boundary', 0)} |",
        f"| false positive: not an entity (no overlap) | {n.get('fp_not_entity', 0)} |",
        f"| missed: span found with wrong type | {n.get('fn_wrong_type', 0)} |",
        f"| missed: partial overlap only | {n.get('fn_partial_overlap', 0)} |",
        f"| missed: no overlap | {n.get('fn_no_overlap', 0)} |",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def dump_sentences(sentences: Iterable[Sentence]) -> str:
    """A JSON list with one sentence per line (valid JSON, diff-friendly)."""
    rows = [json.dumps(s.to_json(), ensure_ascii=False) for s in sentences]
    return "[\n" + ",\n".join(rows) + "\n]\n"


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with ``\\n`` line endings."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def generate(out: Path, seed: int = 0) -> dict[str, float]:
    """Generate all files into ``out``; return the train noise statistics."""
    catalogue = build_catalogue(seed)
    splits = generate_splits(seed, catalogue)
    dictionary = build_dictionary(seed, catalogue)
    train_ds = distant_split(splits["train"], dictionary)
    noise = noise_stats(train_ds, splits["train"])
    test_noise = noise_stats(distant_split(splits["test"], dictionary), splits["test"])
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "train-ds.json", dump_sentences(train_ds))
    write_text(out / "train-gs.json", dump_sentences(splits["train"]))
    write_text(out / "dev.json", dump_sentences(splits["dev"]))
    write_text(out / "test.json", dump_sentences(splits["test"]))
    report = render_report(splits, noise, test_noise, dictionary, catalogue, seed)
    write_text(out / "README.md", report)
    print(report)
    return noise


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("assets/default"), help="output folder"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)
    generate(args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
