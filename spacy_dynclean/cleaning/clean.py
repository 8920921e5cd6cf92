"""A recipe run on the distant data: streamed, every doc kept, in order.

`clean_docs` runs the recipe's rules (`rules.py`) on each doc, then applies their
decisions (`apply.clean_doc`); `clean_docbin` reads and writes DocBins and the
audit, atomically, with the scores' flags and the entry table as the rules'
context; `apply_recipe` judges the dictionary entries on gold dev docs first when
the recipe's rules read them. What the cleaning did with each item is its
`audit.Decision`.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from ..errors import DataError, MismatchError
from ..io.docbin import (
    check_same_labels,
    entity_labels,
    iter_docbin_as_stored,
    write_docbin,
)
from ..io.fingerprint import check_fingerprint
from ..io.ids import sample_key
from ..io.labels import check_label_sets
from ..scoring.scores import iter_score_rows, read_thresholds
from ..util import PathLike
from .apply import clean_doc
from .audit import (
    ACTIONS,
    ADDED_ENTITY,
    ENTITY,
    MARKED_MISSING,
    NON_ENTITY,
    RELABELED_ENTITY,
    REMOVED_ENTITY,
    Decision,
    audit_writer,
    count_actions,
    count_by_source,
)
from .entries import (
    ADD,
    ENTRIES_FILE,
    KEEP,
    EntryOptions,
    read_entries,
    score_entries,
    write_entries,
)
from .gold import check_gold
from .recipes import Recipe
from .rules import CleaningContext, FlaggedEntries

NO_ENTRIES = (
    "no entry table: only the training dynamics flagged items, and they cannot see a "
    "dictionary entry that is wrong at every occurrence (`The` as MISC); with a gold "
    "dev set, run `dynclean entries DATA DEV SCORES_DIR` before cleaning"
)
# the action counts' names in metrics.json
COUNT_NAMES = {
    REMOVED_ENTITY: "removed_entities",
    MARKED_MISSING: "marked_missing",
    RELABELED_ENTITY: "relabeled_entities",
    ADDED_ENTITY: "added_entities",
}


@dataclass
class CleanReport:
    """What a cleaning pass changed."""

    n_docs: int = 0
    n_changed_docs: int = 0
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    # source → action → count (`audit.count_by_source`)
    by_source: dict[str, Counter] = field(default_factory=dict)
    missing_tokens: int = 0
    notes: list[str] = field(default_factory=list)
    # with `track_entities`: (doc id, start, end, type) of every entity decision, by
    # source (one tuple per occurrence: for detection against gold only)
    track_entities: bool = False
    flagged_entities: dict[str, list[tuple[str, int, int, str]]] = field(
        default_factory=dict
    )

    def add(self, decisions: Sequence[Decision]) -> None:
        """Count the cleaned decisions of one doc."""
        self.n_docs += 1
        self.n_changed_docs += bool(decisions)
        for action, n in count_actions(decisions).items():
            self.actions[action] += n
        for source, counts in count_by_source(decisions).items():
            self.by_source.setdefault(source, Counter()).update(counts)
        self.missing_tokens += sum(d.n_missing for d in decisions)
        for d in decisions if self.track_entities else ():
            if d.kind == ENTITY:
                key = (d.doc_id, d.start, d.end, d.label)
                self.flagged_entities.setdefault(d.source, []).append(key)

    def counts(self) -> dict[str, int]:
        """The counts, as metrics.json reports them."""
        return {
            **{COUNT_NAMES[action]: n for action, n in self.actions.items()},
            "missing_tokens": self.missing_tokens,
            "docs": self.n_docs,
            "changed_docs": self.n_changed_docs,
        }


def flagged_rows_by_doc(rows: Iterable[Mapping[str, Any]]) -> dict[str, list]:
    """The flagged entity / non-entity rows of scores.jsonl, by doc id, in order."""
    groups: dict[str, list] = {}
    for row in rows:
        if row["flagged"] and row["kind"] in (ENTITY, NON_ENTITY):
            groups.setdefault(row["doc_id"], []).append(row)
    return groups


def clean_docs(
    docs: Iterable[Doc], recipe: Recipe, context: CleaningContext
) -> Iterator[tuple[Doc, list[Decision]]]:
    """Yield every doc (cleaned in place) with its cleaned decisions, in order: the
    recipe's rules in turn, then `apply.clean_doc`. After the last doc, refuse flags
    for doc ids the data does not have."""
    seen = set()
    for doc in docs:
        doc_id = sample_key(doc)
        if doc_id in context.flagged_rows:  # flagged ids only: memory stays flat
            seen.add(doc_id)
        decisions: list[Decision] = []
        for rule in recipe.rules.values():
            decisions = rule(doc, decisions, context)
        yield doc, clean_doc(doc, decisions, recipe.entity_action)
    unseen = [doc_id for doc_id in context.flagged_rows if doc_id not in seen]
    if unseen:
        raise MismatchError(
            f"{len(unseen)} flagged doc(s) are not in the data, e.g. {unseen[0]!r}: "
            "the data and the scores do not belong together"
        )


def clean_docbin(
    data_path: PathLike,
    scores_dir: PathLike,
    output_path: PathLike,
    recipe: Recipe,
    *,
    audit_path: PathLike | None = None,
    entries_path: PathLike | None = None,
    gold_path: PathLike | None = None,
    shard_size: int | None = None,
) -> CleanReport:
    """Clean a .spacy file or folder with `recipe`, streamed; write the cleaned data
    (a .spacy file, or a folder of shards: `io.docbin.write_docbin`) and the audit
    JSONL, atomically. The rules' context: the scores folder's flags and, for a
    recipe whose rules read entries, the entry table at `entries_path` (default:
    SCORES_DIR/entries.jsonl, if there is one). `gold_path`: gold docs of the data,
    refused (`gold.check_gold`) before anything is written; with them the report
    keeps every entity decision (`CleanReport.flagged_entities`)."""
    report = CleanReport(track_entities=gold_path is not None)
    thresholds = read_thresholds(scores_dir)
    report.notes.extend(check_fingerprint(data_path, scores_dir, thresholds))
    if gold_path is not None:
        check_gold(data_path, gold_path)
        report.notes.extend(check_same_labels(data_path, gold_path))
    context = CleaningContext(
        flagged_rows_by_doc(iter_score_rows(scores_dir)),
        thresholds["entity_types"],
        _entries(recipe, data_path, scores_dir, entries_path, report),
    )
    with audit_writer(audit_path) as write_audit:
        cleaned = clean_docs(iter_docbin_as_stored(data_path), recipe, context)
        write_docbin(audited(cleaned, write_audit, report), output_path, shard_size)
    return report


def _entries(
    recipe: Recipe,
    data_path: PathLike,
    scores_dir: PathLike,
    entries_path: PathLike | None,
    report: CleanReport,
) -> FlaggedEntries:
    """The flagged entries the recipe's rules read, from the table at `entries_path`
    or in SCORES_DIR; none (with a note) when the recipe reads none or there is none."""
    if not recipe.uses_entries:
        return {}
    if entries_path is None and (Path(scores_dir) / ENTRIES_FILE).exists():
        entries_path = Path(scores_dir) / ENTRIES_FILE
    if entries_path is None:
        report.notes.append(NO_ENTRIES)
        return {}
    table = read_entries(entries_path)
    check_entry_labels(table, data_path, entries_path)
    report.notes.extend(check_entry_counts(data_path, table, entries_path))
    entries = flagged_entries(table)
    n_add = sum(action == ADD for action, _ in entries.values())
    if n_add and not recipe.adds_entries:
        report.notes.append(
            f"{entries_path} has {n_add} entries to add, and the recipe "
            f"{recipe.name!r} has no rule that adds them: choose a recipe with the "
            "added_entries rule (e.g. --recipe cleaned_added) to add them"
        )
    return entries


def apply_recipe(
    recipe: Recipe,
    data_path: PathLike,
    scores_dir: PathLike,
    output_path: PathLike,
    *,
    dev_path: PathLike | None = None,
    audit_path: PathLike | None = None,
    entries_dir: PathLike | None = None,
    entry_options: EntryOptions = EntryOptions(),
    gold_path: PathLike | None = None,
) -> CleanReport | None:
    """Write the data cleaned by `recipe` to `output_path` (for a recipe without
    rules, `raw`, a copy of the data; returns None then). A recipe whose rules read
    entries judges them on the gold dev docs at `dev_path` first (proposing the
    entries to add when a rule adds them) and writes the table into `entries_dir`
    (default: the output's folder)."""
    if not recipe.cleans:
        write_docbin(iter_docbin_as_stored(data_path), output_path)
        return None
    entries_path = None
    if recipe.uses_entries:
        if dev_path is None:
            raise DataError(
                f"recipe {recipe.name!r}",
                "its rules read the dictionary entries judged on gold dev docs",
                hint="pass the gold dev data, or choose a recipe without entries",
            )
        options = recipe.entry_options(entry_options)
        table = score_entries(data_path, dev_path, options, scores_dir)
        entries_path = write_entries(table, entries_dir or Path(output_path).parent)
    return clean_docbin(
        data_path,
        scores_dir,
        output_path,
        recipe,
        audit_path=audit_path,
        entries_path=entries_path,
        gold_path=gold_path,
    )


def flagged_entries(
    table: Iterable[Mapping[str, Any]],
) -> FlaggedEntries:
    """The flagged entries of an entry table's lines: (words, type) → (action, repair)."""
    return {
        (tuple(line["words"]), line["label"]): (line["action"], line.get("repair"))
        for line in table
        if line["action"] != KEEP
    }


def check_entry_labels(
    table: Iterable[Mapping[str, Any]], data_path: PathLike, entries_path: PathLike
) -> None:
    """Refuse an entry table whose types (and relabel types) are not the data's."""
    types = Counter(
        label
        for line in table
        for label in (line["label"], line.get("repair"))
        if isinstance(label, str)
    )
    check_label_sets(
        entity_labels(data_path),
        str(data_path),
        types,
        str(entries_path),
        fix="run `dynclean entries` again on a dev set converted with the data's "
        "label names, or edit the table's types",
        subset=True,
    )


def check_entry_counts(
    data_path: PathLike, table: Sequence[Mapping[str, Any]], entries_path: PathLike
) -> list[str]:
    """A note when the flagged entries occur in the data other than as often as the
    table says (its `n`): the table was judged on other data, and it still applies,
    by words and type. Lines without `n` (written by hand) are not checked."""
    expected = {
        (tuple(line["words"]), line["label"]): line["n"]
        for line in table
        if line["action"] not in (KEEP, ADD) and isinstance(line.get("n"), int)
    }
    found = Counter(
        key
        for doc in iter_docbin_as_stored(data_path)
        for ent in doc.ents
        if (key := (tuple(t.text for t in ent), ent.label_)) in expected
    )
    stale = [key for key, n in expected.items() if found[key] != n]
    if not stale:
        return []
    words, label = stale[0]
    return [
        f"{len(stale)} of the {len(expected)} flagged entries of {entries_path} occur "
        f"in {data_path} other than as often as when they were judged (e.g. "
        f"{' '.join(words)!r}/{label}: {found[stale[0]]}, not {expected[stale[0]]}): "
        "the table applies by words and type; if the data changed, run "
        "`dynclean entries` on it again"
    ]


def audited(
    cleaned: Iterable[tuple[Doc, list[Decision]]],
    write_audit: Callable[[Sequence[Decision]], None],
    report: CleanReport,
) -> Iterator[Doc]:
    """The cleaned docs; their decisions are written to the audit and counted on the way."""
    for doc, decisions in cleaned:
        write_audit(decisions)
        report.add(decisions)
        yield doc
