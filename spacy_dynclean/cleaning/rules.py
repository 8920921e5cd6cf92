"""Cleaning rules: each source of decisions is a registered, versioned function.

A rule is called per doc with the decisions taken on it so far and the cleaning's
`CleaningContext` (what every doc shares: the scores' flagged rows, the flagged
dictionary entries, the entries to add) and returns the decisions after it. A
recipe (`recipes.py`) lists rules in order in a config; `clean.clean_docs` runs them
on every doc and `clean.clean_doc` applies the result. The shipped rules, in the
order the default recipe runs them:

- `spacy-dynclean.aum_flags.v1`: the items the training dynamics flagged (AUM below
  the threshold samples' cut), per side, optionally repaired (`repair.py`);
- `spacy-dynclean.dictionary_entries.v1`: each entity whose dictionary entry was
  judged wrong on dev (`dynclean entries`) does what its entry says;
- `spacy-dynclean.capitalised_edges.v1`: capitalised words running on from a kept
  entity (`name_edges.py`: a name cut short) are flagged non-entities;
- `spacy-dynclean.neighbours.v1`: a kept entity touching a flagged non-entity goes
  missing with it (one unit: `York` of `New York`);
- `spacy-dynclean.added_entries.v1`: the entries the dictionary lacks are added at
  their unlabelled places (last, so a removed cut-short name gives way).

A new rule is one function registered here, or in any package under the entry
point group `spacy_cleaning_rules`, plus a block in a recipe's config.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import registry

from ..errors import DataError
from ..io.ids import sample_key
from .apply import spans_of
from .audit import ENTITY, MISSING, NON_ENTITY, OUTSIDE, Decision
from .entries import ADD, RELABEL, EntryKey, PlaceFinder
from .entries import OUTSIDE as ENTRY_OUTSIDE
from .name_edges import capitalised_runs
from .repair import RepairRule, token_mask

registry.create("cleaning_rules", entry_points=True)

# an entry's (action, repair type), by (words, type): the entry table's flagged lines
FlaggedEntries = Mapping[EntryKey, tuple[str, str | None]]


@dataclass
class CleaningContext:
    """What every doc of one cleaning shares: the flagged scores rows by doc id (in
    scores order), the data's entity types, and the entry table's flagged entries."""

    flagged_rows: Mapping[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    entity_types: Sequence[str] = ()
    entries: FlaggedEntries = field(default_factory=dict)
    additions: PlaceFinder = field(init=False)

    def __post_init__(self) -> None:
        self.additions = PlaceFinder(
            key for key, (action, _) in self.entries.items() if action == ADD
        )


Rule = Callable[[Doc, list[Decision], CleaningContext], list[Decision]]


@dataclass(frozen=True)
class AumFlags:
    """The training dynamics' flags on the sides `sides`; with `repair`, each gets
    the type the rule repairs it to, if any."""

    sides: tuple[str, ...] = (ENTITY, NON_ENTITY)
    repair: RepairRule | None = None

    def __post_init__(self) -> None:
        unknown = [side for side in self.sides if side not in (ENTITY, NON_ENTITY)]
        if unknown or not self.sides:
            raise DataError(
                "rules.aum_flags.sides",
                f"must list {ENTITY!r} and/or {NON_ENTITY!r}, got {list(self.sides)}",
            )

    def __call__(
        self, doc: Doc, decisions: list[Decision], context: CleaningContext
    ) -> list[Decision]:
        rows = context.flagged_rows.get(sample_key(doc), ())
        return decisions + [
            Decision.from_row(row, self._repair(row, context.entity_types))
            for row in rows
            if row["kind"] in self.sides
        ]

    def _repair(self, row: Mapping[str, Any], types: Sequence[str]) -> str | None:
        return self.repair.label(row, types) if self.repair is not None else None


@registry.cleaning_rules("spacy-dynclean.aum_flags.v1")
def make_aum_flags(
    sides: list[str] = [ENTITY, NON_ENTITY],
    repair: bool = False,
    repair_min_share: float = RepairRule.min_share,
    repair_max_aum: float = RepairRule.max_aum,
) -> AumFlags:
    """The items the training dynamics flagged; `repair`: relabel them to the type
    the model keeps preferring (`repair.py`), within the two limits."""
    rule = RepairRule(repair_min_share, repair_max_aum) if repair else None
    return AumFlags(tuple(sides), rule)


@registry.cleaning_rules("spacy-dynclean.dictionary_entries.v1")
def make_dictionary_entries() -> Rule:
    """Each entity whose entry the table flags does what the entry says."""
    return with_entry_decisions


@registry.cleaning_rules("spacy-dynclean.capitalised_edges.v1")
def make_capitalised_edges() -> Rule:
    """Capitalised words running on from a kept entity are flagged non-entities."""
    return with_capitalised_decisions


@registry.cleaning_rules("spacy-dynclean.neighbours.v1")
def make_neighbours() -> Rule:
    """A kept entity touching a flagged non-entity goes missing with it."""
    return with_neighbour_decisions


@dataclass(frozen=True)
class AddedEntries:
    """The entries to add label their unlabelled places (`with_added_entries`); with
    `longer_names`, `dynclean entries` also counts the places where an entry to add
    extends a distant entity it contains (a name cut short: `entries.open_place`),
    labelled where the other rules removed the short one; with `whole_names`, an
    entry to add is judged and added only at whole names (`name_edges.whole_names`)."""

    longer_names: bool = False
    whole_names: bool = False
    reads_entries: bool = field(default=True, init=False)
    adds_entries: bool = field(default=True, init=False)

    def __call__(
        self, doc: Doc, decisions: list[Decision], context: CleaningContext
    ) -> list[Decision]:
        return with_added_entries(doc, decisions, context, self.whole_names)


@registry.cleaning_rules("spacy-dynclean.added_entries.v1")
def make_added_entries(
    longer_names: bool = False, whole_names: bool = False
) -> AddedEntries:
    """The entries to add label their unlabelled places; `longer_names`: also the
    places of a name cut short, where the short one was removed; `whole_names`:
    only places with no capitalised neighbour."""
    return AddedEntries(longer_names, whole_names)


def with_entry_decisions(
    doc: Doc, decisions: list[Decision], context: CleaningContext
) -> list[Decision]:
    """The doc's decisions and one for each entity whose entry is flagged; where the
    training dynamics flagged the entity too, the entry's decision replaces theirs
    (it says what the tokens become) and keeps their AUM and threshold."""
    doc_id, by_entry = sample_key(doc), []
    by_key = {d.key: d for d in decisions}
    for ent in doc.ents:
        flagged = context.entries.get((tuple(t.text for t in ent), ent.label_))
        if flagged is not None and flagged[0] != ADD:
            action, repair = flagged
            becomes = OUTSIDE if action == ENTRY_OUTSIDE else MISSING
            replaced = by_key.get((doc_id, ent.start, ent.end, ENTITY))
            by_entry.append(
                _entity_decision(
                    doc_id,
                    ent,
                    aum=replaced.aum if replaced else None,
                    threshold=replaced.threshold if replaced else None,
                    repair=repair if action == RELABEL else None,
                    becomes=None if action == RELABEL else becomes,
                    source="entry",
                )
            )
    return _replacing(decisions, by_entry)


def with_capitalised_decisions(
    doc: Doc, decisions: list[Decision], context: CleaningContext | None = None
) -> list[Decision]:
    """The doc's decisions and a non-entity one (source "capitalised") on every run
    of capitalised words before or after an entity that would be kept, where no
    flagged non-entity lies already (`name_edges.capitalised_runs`)."""
    removed = removed_entities(decisions)
    kept = [
        (e.start, e.end) for e in doc.ents if (e.start, e.end, e.label_) not in removed
    ]
    flagged = token_mask(
        len(doc), [(d.start, d.end) for d in decisions if d.kind == NON_ENTITY]
    )
    doc_id, runs = sample_key(doc), token_mask(len(doc), capitalised_runs(doc, kept))
    return list(decisions) + [
        Decision(doc_id, NON_ENTITY, span.start, span.end, "O", source="capitalised")
        for span in spans_of(doc, runs & ~flagged)
    ]


def with_neighbour_decisions(
    doc: Doc, decisions: list[Decision], context: CleaningContext | None = None
) -> list[Decision]:
    """The doc's decisions, where every entity that would be kept (no decision, or a
    relabel) but touches a flagged non-entity that is not repaired is made missing
    instead: one unit with its flagged neighbour."""
    flagged = [
        (d.start, d.end) for d in decisions if d.kind == NON_ENTITY and not d.repair
    ]
    if not flagged:
        return list(decisions)
    removed = removed_entities(decisions)
    doc_id, by_neighbour = sample_key(doc), []
    for ent in doc.ents:
        touches = any(start <= ent.end and ent.start <= end for start, end in flagged)
        if touches and (ent.start, ent.end, ent.label_) not in removed:
            by_neighbour.append(
                _entity_decision(doc_id, ent, becomes=MISSING, source="neighbour")
            )
    return _replacing(decisions, by_neighbour)


def with_added_entries(
    doc: Doc,
    decisions: list[Decision],
    context: CleaningContext,
    whole_names: bool = False,
) -> list[Decision]:
    """The doc's decisions and an added entity (source "entry") at every place of an
    entry to add (longest matches; with `whole_names`, those that are whole names)
    that no kept entity overlaps: its tokens were O, missing, or an entity the
    decisions remove."""
    if not context.additions.types:
        return decisions
    removed = removed_entities(decisions)
    kept = token_mask(
        len(doc),
        [
            (e.start, e.end)
            for e in doc.ents
            if (e.start, e.end, e.label_) not in removed
        ],
    )
    doc_id, added = sample_key(doc), []
    for span, labels in context.additions(doc, whole_names):
        if len(labels) == 1 and not kept[span.start : span.end].any():
            added.append(
                Decision(
                    doc_id,
                    NON_ENTITY,
                    span.start,
                    span.end,
                    "O",
                    repair=labels[0],
                    source="entry",
                )
            )
    return _replacing(decisions, added)


def removed_entities(decisions: Iterable[Decision]) -> set[tuple[int, int, str]]:
    """(start, end, type) of the entities the decisions remove (not relabel)."""
    return {
        (d.start, d.end, d.label)
        for d in decisions
        if d.kind == ENTITY and not d.repair
    }


def _entity_decision(doc_id: str, ent: Span, **fields: Any) -> Decision:
    """A decision a rule takes itself on the entity `ent` of doc `doc_id`."""
    return Decision(doc_id, ENTITY, ent.start, ent.end, ent.label_, **fields)


def _replacing(decisions: Sequence[Decision], new: list[Decision]) -> list[Decision]:
    """`decisions` without those on the items of `new`, then `new`."""
    taken = {d.key for d in new}
    return [d for d in decisions if d.key not in taken] + new


# what a recipe asks of `dynclean entries` for its rules (`recipes.Recipe`): an entry
# table judged on dev (the added entries' rule, `AddedEntries`, says so itself)
with_entry_decisions.reads_entries = True  # type: ignore[attr-defined]
