"""Dictionary entries: every distant entity aggregated into its entry (its words and
type), judged as a whole from evidence outside the distant labels.

Why: a dictionary's wrong entities are mostly wrong *entries*, wrong at every
occurrence (`The`/MISC on wikigold). A label that is a function of the string is
learnable, so AUM cannot see it; the gold dev set can. For each entry we count, on
the dev docs, how gold labels the places where the entry applies (`EntryOptions.
evidence`): "string", every longest match of the entry's words (spaCy's
`PhraseMatcher` + `filter_spans`, as `dynclean annotate` matches); "model", every
dev entity that a pipeline trained on the distant data predicts with the entry's
words and type. Each place is one of: `agree` (gold has that span with that type),
another type (gold has the span with it), `O` (no gold entity touches it) or
`boundary` (a gold entity overlaps it with other edges).

The decision (`decide`): the entry's rate of being right, r, gets a Beta prior whose
mean is the pooled agreement of its group of entries on dev (`group_of`: one-token
entries whose lowercase form is used in lowercase in the corpus, like `The`, and the
rest) and whose strength are fitted to the group's dev counts (beta-binomial maximum
likelihood). An entry is flagged when P(r < 1/2 | dev counts) > `confidence`: it is
more likely wrong than right at one of its occurrences, the point where removing its
labels starts to pay. An entry with no dev place takes, as its P, the share of its
group's checked entries that are more likely wrong (Laplace's rule of succession). A flagged entry's
action follows its evidence (counts plus the group's shares as a prior): `O` most
likely → its tokens become O; another type → relabelled to it; otherwise (boundary,
mixed or no evidence) → missing.

Entry table format (`entries.jsonl`, in the scores folder, written by
`dynclean entries`), one JSON object per entry, most harmful first (`harm`: expected
wrong occurrences, `n × P(r < 1/2)`):

```
{"words": ["The"], "label": "MISC", "n": 156, "group": "lower_attested",
 "aum_mean": 2.1, "aum_min": 0.4, "dev": {"O": 31}, "p_wrong": 1.0, "harm": 156.0,
 "flagged": true, "action": "outside", "repair": null}
```
"""

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..config import load_pipeline
from ..errors import DataError
from ..io.common import iter_json_lines
from ..io.docbin import check_same_labels, entity_labels, iter_docbin_as_stored
from ..io.ids import sample_key
from ..io.labels import check_label_sets, pipeline_labels
from ..scoring.scores import iter_score_rows
from ..util import PathLike, atomic_output
from . import name_edges

ENTRIES_FILE = "entries.jsonl"
AGREE, NOT_ENTITY, BOUNDARY = "agree", "O", "boundary"
LOWER_ATTESTED, OTHER = "lower_attested", "other"
EVIDENCE = ("string", "model")
# what a flagged entry's occurrences become
KEEP, OUTSIDE, MISSING, RELABEL, ADD = "keep", "outside", "missing", "relabel", "add"
ENTRY_ACTIONS = (KEEP, OUTSIDE, MISSING, RELABEL, ADD)
# the group of the entries the dictionary lacks, proposed from the gold dev set
DEV_ADDED = "dev_added"  # an entry to add, proposed from the gold dev set
TEACHER_ADDED = "teacher_added"  # ... from a teacher's predictions over the train data
ADDED_GROUPS = (DEV_ADDED, TEACHER_ADDED)
NOT_ENTRIES = "is this the entries.jsonl written by `dynclean entries`? write it again"
EntryKey = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class EntryOptions:
    """How `dynclean entries` judges the entries. Defaults chosen on dev data
    (BENCHMARKS.md, issue 14)."""

    evidence: str = "string"
    confidence: float = 0.9  # flag when P(right at < half the places) exceeds this
    # propose the entries the dictionary lacks from the gold dev set (`propose_additions`)
    additions: bool = False
    # an entry to add may also extend a distant entity it contains (`York` inside
    # `New York`): a name cut short, repaired to the longer one where the cleaning
    # removed the short one (`open_place`)
    longer_names: bool = False
    # an entry to add is judged on dev and added only at whole names, places with no
    # capitalised neighbour (`name_edges.whole_names`: not the `British` of `British
    # Airways`)
    whole_names: bool = False

    def __post_init__(self) -> None:
        if self.evidence not in EVIDENCE:
            raise DataError(
                "--evidence", f"must be one of {EVIDENCE}, not {self.evidence!r}"
            )
        if not 0 < self.confidence < 1:
            raise DataError(
                "--confidence",
                f"must be a probability between 0 and 1, not {self.confidence}",
                hint="the default, 0.9, flags an entry 9 to 1 more likely wrong",
            )


@dataclass
class Entry:
    """One (words, type) of the distant data, its evidence and its decision."""

    words: tuple[str, ...]
    label: str
    n: int = 0
    group: str = OTHER
    aums: list[float] = field(default_factory=list)
    dev: Counter = field(default_factory=Counter)
    p_wrong: float = 0.0
    action: str = KEEP
    repair: str | None = None
    n_added: int = 0  # action add: the unlabelled places it labels

    @property
    def key(self) -> EntryKey:
        return self.words, self.label

    @property
    def flagged(self) -> bool:
        return self.action != KEEP

    @property
    def harm(self) -> float:
        return self.n * self.p_wrong

    def to_line(self) -> dict[str, Any]:
        aums = self.aums
        return {
            "words": list(self.words),
            "label": self.label,
            "n": self.n,
            "group": self.group,
            "aum_mean": round(sum(aums) / len(aums), 4) if aums else None,
            "aum_min": round(min(aums), 4) if aums else None,
            "dev": dict(self.dev),
            "p_wrong": round(self.p_wrong, 6),
            "harm": round(self.harm, 4),
            "flagged": self.flagged,
            "action": self.action,
            "repair": self.repair,
            "n_added": self.n_added,
        }


def collect_entries(
    docs: Iterable[Doc], aums: Mapping[tuple[str, int, int], float] | None = None
) -> dict[EntryKey, Entry]:
    """The entries of the distant docs' entities, with their occurrence counts and
    (from `aums`, by (doc id, start, end)) the AUMs of their occurrences."""
    entries: dict[EntryKey, Entry] = {}
    for doc in docs:
        doc_id = sample_key(doc)
        for ent in doc.ents:
            words = tuple(t.text for t in ent)
            entry = entries.setdefault((words, ent.label_), Entry(words, ent.label_))
            entry.n += 1
            aum = (aums or {}).get((doc_id, ent.start, ent.end))
            if aum is not None:
                entry.aums.append(aum)
    return entries


def lowercase_words(docs: Iterable[Doc]) -> set[str]:
    """The words the corpus uses in lowercase."""
    return {t.text for doc in docs for t in doc if t.text.islower()}


def group_of(words: tuple[str, ...], lowercase: set[str]) -> str:
    """`lower_attested`: one capitalised token whose lowercase form the corpus uses
    (a sentence-initial common word, a pronoun, a month); else `other`."""
    if len(words) == 1 and not words[0].islower() and words[0].lower() in lowercase:
        return LOWER_ATTESTED
    return OTHER


class PlaceFinder:
    """Every longest match of some entries' words in a doc, with their types; with
    `whole_names`, only those that are whole names (`name_edges.whole_names`)."""

    def __init__(self, keys: Iterable[EntryKey]) -> None:
        self.types: dict[tuple[str, ...], list[str]] = {}
        for words, label in keys:
            self.types.setdefault(words, []).append(label)
        self.matcher: PhraseMatcher | None = None

    def __call__(
        self, doc: Doc, whole_names: bool = False
    ) -> list[tuple[Span, list[str]]]:
        if self.matcher is None or self.matcher.vocab is not doc.vocab:  # per shard
            self.matcher = PhraseMatcher(doc.vocab, attr="ORTH")
            for words in self.types:
                self.matcher.add("ENTRY", [Doc(doc.vocab, words=list(words))])
        spans = filter_spans([doc[s:e] for _, s, e in self.matcher(doc)])
        if whole_names:
            spans = name_edges.whole_names(spans)
        return [(span, self.types[tuple(t.text for t in span)]) for span in spans]


def string_places(
    docs: Iterable[Doc], entries: Mapping[EntryKey, Entry], whole_names: bool = False
) -> Iterator[tuple[Doc, Span, list[str]]]:
    """Every longest match of an entry's words in `docs` (`PlaceFinder`), with the
    entries' types."""
    find = PlaceFinder(entries)
    for doc in docs:
        for span, labels in find(doc, whole_names):
            yield doc, span, labels


def model_places(
    gold_docs: Iterable[Doc], predicted: Iterable[Doc]
) -> Iterator[tuple[Doc, Span, list[str]]]:
    """Every entity a model predicts on the dev docs, with its predicted type; the
    gold doc comes first (the predictions are on a copy of its words)."""
    for gold, doc in zip(gold_docs, predicted):
        for ent in doc.ents:
            yield gold, gold[ent.start : ent.end], [ent.label_]


def add_dev_evidence(
    entries: Mapping[EntryKey, Entry],
    places: Iterable[tuple[Doc, Span, list[str]]],
) -> None:
    """Count, for every entry applying at a place of a gold doc, what gold says there."""
    for doc, span, labels in places:
        verdict = gold_verdict(doc, span)
        words = tuple(t.text for t in span)
        for label in labels:
            entry = entries.get((words, label))
            if entry is not None:
                entry.dev[AGREE if verdict == label else verdict] += 1


def gold_verdict(doc: Doc, span: Span) -> str:
    """What the gold doc has at `span`: its type, `O` or `boundary`."""
    for ent in doc.ents:
        if (ent.start, ent.end) == (span.start, span.end):
            return ent.label_
        if ent.start < span.end and span.start < ent.end:
            return BOUNDARY
    return NOT_ENTITY


@dataclass
class GroupPrior:
    """The Beta prior of a group's entries' rate of being right (`mean`, `strength`
    in pseudo-places, fitted by `fit_beta_binomial`) and the mean share of each
    verdict over the group's entries with dev evidence."""

    mean: float
    strength: float
    shares: dict[str, float] = field(default_factory=dict)

    def p_wrong(self, right: int, wrong: int) -> float:
        """P(r < 1/2) after `right` agreeing and `wrong` other places."""
        return prob_below_half(
            self.strength * self.mean + right, self.strength * (1 - self.mean) + wrong
        )


def decide(
    entries: Mapping[EntryKey, Entry], options: EntryOptions
) -> dict[str, GroupPrior]:
    """Set every entry's `p_wrong`, action and repair (module docstring); returns
    the groups' priors it judged them with."""
    priors = group_priors(entries.values())
    checked: dict[str, list[float]] = {}
    for entry in entries.values():
        entry.p_wrong, entry.action, entry.repair = 0.0, KEEP, None
        if entry.dev:
            entry.p_wrong = p_wrong_on_dev(entry.dev, priors[entry.group])
            checked.setdefault(entry.group, []).append(entry.p_wrong)
    for entry in entries.values():
        if not entry.dev and entry.group in checked:
            entry.p_wrong = _share_wrong(checked[entry.group])
        if entry.p_wrong > options.confidence:
            entry.action, entry.repair = _action(entry, priors[entry.group])
    return priors


def _share_wrong(p_wrongs: list[float]) -> float:
    """P(an unchecked entry is wrong) from its group's checked entries: Laplace's rule
    of succession on how many of them are more likely wrong than right, so that a
    group with few checked entries stays unsure."""
    return (sum(p > 0.5 for p in p_wrongs) + 1) / (len(p_wrongs) + 2)


def p_wrong_on_dev(dev: Counter, prior: GroupPrior) -> float:
    """P(r < 1/2) for an entry with the dev counts `dev`, r ~ Beta from `prior`."""
    return prior.p_wrong(dev[AGREE], sum(dev.values()) - dev[AGREE])


def group_priors(entries: Iterable[Entry]) -> dict[str, GroupPrior]:
    """The prior of every group that has entries with dev evidence."""
    counts: dict[str, list[tuple[int, int]]] = {}
    shares: dict[str, Counter] = {}
    for entry in entries:
        total = sum(entry.dev.values())
        if total:
            counts.setdefault(entry.group, []).append((entry.dev[AGREE], total))
            shares.setdefault(entry.group, Counter()).update(
                {verdict: n / total for verdict, n in entry.dev.items()}
            )
    priors = {}
    for group, pairs in counts.items():
        mean, strength = fit_beta_binomial(pairs)
        verdicts = {v: share / len(pairs) for v, share in shares[group].items()}
        priors[group] = GroupPrior(mean, strength, verdicts)
    return priors


def fit_beta_binomial(pairs: list[tuple[int, int]]) -> tuple[float, float]:
    """The Beta(mean · s, (1 − mean) · s) under which the (right, places) counts are
    most likely (maximum marginal likelihood on a grid: mean 0.01–0.99, s 0.1–1000)."""
    best, best_ll = (0.5, 2.0), -math.inf
    for strength in (0.1 * 1.25**i for i in range(42)):
        for mean in (i / 100 for i in range(1, 100)):
            a, b = mean * strength, (1 - mean) * strength
            ll = sum(
                math.lgamma(k + a) + math.lgamma(n - k + b) - math.lgamma(n + a + b)
                for k, n in pairs
            ) + len(pairs) * (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b))
            if ll > best_ll:
                best, best_ll = (mean, strength), ll
    return best


def _action(entry: Entry, prior: GroupPrior) -> tuple[str, str | None]:
    """The action of a flagged entry: its most likely verdict if that holds more
    than half the evidence (its dev counts plus the group's shares, weighted by the
    prior's strength), else missing. A type to relabel to must be one the entry's
    own dev places name: the group's shares alone say nothing of this entry's type."""
    total = sum(entry.dev.values()) + prior.strength
    posterior = {
        verdict: (entry.dev[verdict] + prior.strength * prior.shares.get(verdict, 0))
        / total
        for verdict in set(entry.dev) | set(prior.shares)
        if verdict not in (AGREE, entry.label)
    }
    verdict = max(posterior, key=posterior.get, default=None)
    if verdict is None or posterior[verdict] <= 0.5 or verdict == BOUNDARY:
        return MISSING, None
    if verdict == NOT_ENTITY:
        return OUTSIDE, None
    if not entry.dev[verdict]:
        return MISSING, None
    return RELABEL, verdict


def prob_below_half(a: float, b: float) -> float:
    """P(r < 1/2) for r ~ Beta(a, b): the regularised incomplete beta I_{1/2}(a, b)."""
    if a <= 0 or b <= 0:
        raise ValueError(f"Beta parameters must be positive, got {a}, {b}")
    if (
        a < b
    ):  # I_x(a, b) = 1 - I_{1-x}(b, a); at x = 1/2 the fraction converges fast for a >= b
        return 1.0 - prob_below_half(b, a)
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) - (a + b) * math.log(2)
    )
    return math.exp(log_front) * _beta_fraction(a, b) / a


def _beta_fraction(a: float, b: float, x: float = 0.5) -> float:
    """The continued fraction of the incomplete beta (Lentz's method)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-12:
            break
    return result


def score_entries(
    data_path: PathLike,
    dev_path: PathLike,
    options: EntryOptions = EntryOptions(),
    scores_dir: PathLike | None = None,
    model: PathLike | None = None,
    notes: list[str] | None = None,
    teacher: PathLike | None = None,
) -> dict[EntryKey, Entry]:
    """The judged entries of the distant data at `data_path`, from the gold dev docs
    at `dev_path` (and, for `evidence="model"`, the predictions on them of the
    pipeline at `model`); with `scores_dir`, their occurrences' AUMs. With
    `options.additions`, the entries to add: from dev and, with `teacher` (a pipeline
    trained on the cleaned data), from its predictions over the distant data. A dev
    set (or model, or teacher) whose entity labels do not fit the data's is refused
    (`io.labels.check_label_sets`); `notes` receives the types dev lacks."""
    if (options.evidence == "model") != (model is not None):
        raise DataError(
            "--model",
            "evidence 'model' needs a pipeline trained on the distant data, and only it",
            hint="pass --model PIPELINE with --evidence model",
        )
    if teacher is not None and not options.additions:
        raise DataError(
            "--teacher",
            "a teacher proposes entries to add",
            hint="choose a recipe that adds entries, e.g. --recipe cleaned_added",
        )
    found = check_same_labels(data_path, dev_path)
    nlp = spacy.load(model) if model is not None else None
    if nlp is not None:
        found += check_label_sets(
            entity_labels(data_path), str(data_path), pipeline_labels(nlp), str(model)
        )
    taught = load_teacher(teacher) if teacher is not None else None
    if taught is not None:
        check_teacher_labels(taught, teacher, entity_labels(data_path), data_path)
    (notes if notes is not None else []).extend(found)
    aums = _entity_aums(scores_dir) if scores_dir is not None else None
    entries = collect_entries(iter_docbin_as_stored(data_path), aums)
    lowercase = lowercase_words(iter_docbin_as_stored(data_path))
    lowercase |= lowercase_words(iter_docbin_as_stored(dev_path))
    for entry in entries.values():
        entry.group = group_of(entry.words, lowercase)
    dev = iter_docbin_as_stored(dev_path)
    if nlp is None:
        places = string_places(dev, entries)
    else:
        gold = list(dev)
        predicted = nlp.pipe(Doc(nlp.vocab, words=[t.text for t in d]) for d in gold)
        places = model_places(gold, predicted)
    add_dev_evidence(entries, places)
    priors = decide(entries, options)
    if options.additions:
        entries.update(propose_additions(dev_path, entries, priors, options))
        if taught is not None:
            predictions = predicted_entities(iter_docbin_as_stored(data_path), taught)
            entries.update(
                propose_teacher_additions(
                    data_path, dev_path, predictions, entries, options
                )
            )
        count_added_places(data_path, entries, options)
        entries = {key: e for key, e in entries.items() if e.n or e.n_added}
    return entries


def count_added_places(
    data_path: PathLike, entries: Mapping[EntryKey, Entry], options: EntryOptions
) -> None:
    """Set `n_added` of the entries to add: their longest matches in the distant data
    (whole names only, with `options.whole_names`) that are `open_place`s, whose
    words no other entry to add has with another type; an entry without such places
    is kept as it is."""
    added = {key: e for key, e in entries.items() if e.action == ADD}
    docs = iter_docbin_as_stored(data_path)
    for doc, span, labels in string_places(docs, added, options.whole_names):
        if len(labels) == 1 and open_place(span, options.longer_names):
            added[(tuple(t.text for t in span), labels[0])].n_added += 1
    for entry in added.values():
        if not entry.n_added:
            entry.action = KEEP


def open_place(span: Span, longer_names: bool = False) -> bool:
    """Whether an entry to add may label `span` of the distant data: every token O;
    with `longer_names`, also a span whose distant entities all lie inside it and are
    shorter (a name cut short: the cleaning's rule adds the longer one only where the
    short one was removed)."""
    if all(t.ent_iob_ == "O" for t in span):
        return True
    if not longer_names:
        return False
    inside = [
        span.start <= e.start and e.end <= span.end and len(e) < len(span)
        for e in span.doc.ents
        if e.start < span.end and span.start < e.end
    ]
    return all(inside) and all(t.ent_iob_ for t in span)  # no missing token


def propose_additions(
    dev_path: PathLike,
    entries: Mapping[EntryKey, Entry],
    priors: Mapping[str, GroupPrior],
    options: EntryOptions,
) -> dict[EntryKey, Entry]:
    """The entries the dictionary lacks: every (words, type) of a gold dev entity
    whose words no distant entity has, judged at its dev places like the distant
    entries (`add_dev_evidence`). A candidate is proposed because one of its places
    agrees, so that place is no evidence: its rate of being right, r, gets the Beta
    prior fitted to the candidates' *other* places (right − 1 of places − 1: the
    prior of a string given that gold labelled it once), updated with those other
    places. One is added (action `add`) when P(r < 1/2) < 1 − `confidence`. The
    distant entries checked on dev and surely right by the same test, under their
    groups' `priors` (from `decide`), get action `add` too (in place): a dictionary
    often labels a name at some of its places and not at others (`U.S.`/LOC on
    conll03). Returns the new entries; `count_added_places` then keeps `add` where
    there are places to label."""
    known = {words for words, _ in entries}
    candidates: dict[EntryKey, Entry] = {}
    for doc in iter_docbin_as_stored(dev_path):
        for ent in doc.ents:
            words = tuple(t.text for t in ent)
            if words not in known:
                key = (words, ent.label_)
                candidates.setdefault(key, Entry(words, ent.label_, group=DEV_ADDED))
    dev = iter_docbin_as_stored(dev_path)
    add_dev_evidence(candidates, string_places(dev, candidates, options.whole_names))
    others = [_other_places(e.dev) for e in candidates.values()]
    prior = GroupPrior(*fit_beta_binomial([p for p in others if p[1]] or [(1, 2)]))
    for entry, (right, places) in zip(candidates.values(), others):
        entry.p_wrong = prior.p_wrong(right, places - right)
        if entry.p_wrong < 1 - options.confidence:
            entry.action = ADD
    for entry, p_wrong in _surely_right(dev_path, entries, priors, options):
        entry.action, entry.p_wrong = ADD, p_wrong
    return {key: e for key, e in candidates.items() if e.action == ADD}


def _surely_right(
    dev_path: PathLike,
    entries: Mapping[EntryKey, Entry],
    priors: Mapping[str, GroupPrior],
    options: EntryOptions,
) -> Iterator[tuple[Entry, float]]:
    """The kept distant entries that dev finds surely right, P(r < 1/2) <
    1 − `confidence` under their group's prior, with that P; with
    `options.whole_names` judged at their whole-name dev places only, where they
    would be added."""
    evidence = {key: e.dev for key, e in entries.items()}
    if options.whole_names:
        whole = {key: Entry(*key) for key in entries}
        dev = iter_docbin_as_stored(dev_path)
        add_dev_evidence(whole, string_places(dev, whole, whole_names=True))
        evidence = {key: e.dev for key, e in whole.items()}
    for key, entry in entries.items():
        if entry.action == KEEP and evidence[key]:
            p_wrong = p_wrong_on_dev(evidence[key], priors[entry.group])
            if p_wrong < 1 - options.confidence:
                yield entry, p_wrong


def _other_places(dev: Counter) -> tuple[int, int]:
    """(right, places) of a dev candidate without the place that proposed it, an
    agreeing one; none is dropped where no place agrees (the proposing place lies
    inside a longer candidate's match, so it was not counted)."""
    right, places = dev[AGREE], sum(dev.values())
    return (right - 1, places - 1) if right else (0, places)


def propose_teacher_additions(
    data_path: PathLike,
    dev_path: PathLike,
    predictions: Iterable[Iterable[tuple[int, int, str]]],
    entries: Mapping[EntryKey, Entry],
    options: EntryOptions,
) -> dict[EntryKey, Entry]:
    """The entries the dictionary lacks, from a model trained on the cleaned data (a
    teacher): `predictions` are its entities (start, end, type) for every doc of the
    distant data, in order. Every (words, type) it predicts whose words no entry has
    is a candidate, judged at all the unlabelled places of its words in the distant
    data (longest matches inside no distant entity): r, the share of them where the
    teacher predicts exactly that entity, gets a Beta prior fitted to every
    candidate's counts; one is added (action `add`, group `teacher_added`) when
    P(r < 1/2) < 1 − `confidence`, and its gold dev places, where dev has some, agree
    at least as often as not. Aggregated per string over the corpus, the teacher's
    per-occurrence guesses become one decision per entry, as for the removals."""
    predicted = [set(doc_predictions) for doc_predictions in predictions]
    known = {words for words, _ in entries}
    candidates: dict[EntryKey, Entry] = {}
    for doc, spans in zip(iter_docbin_as_stored(data_path), predicted):
        for start, end, label in spans:
            words = tuple(t.text for t in doc[start:end])
            if words not in known:
                key = (words, label)
                candidates.setdefault(key, Entry(words, label, group=TEACHER_ADDED))
    votes: dict[EntryKey, list[int]] = {key: [0, 0] for key in candidates}
    find = PlaceFinder(candidates)
    for doc, spans in zip(iter_docbin_as_stored(data_path), predicted):
        for span, labels in find(doc, options.whole_names):
            if open_place(span, options.longer_names):
                for label in labels:
                    count = votes[(tuple(t.text for t in span), label)]
                    count[0] += (span.start, span.end, label) in spans
                    count[1] += 1
    prior = GroupPrior(*fit_beta_binomial([(k, m) for k, m in votes.values() if m]))
    dev = iter_docbin_as_stored(dev_path)
    add_dev_evidence(candidates, string_places(dev, candidates, options.whole_names))
    for key, entry in candidates.items():
        right, places = votes[key]
        entry.p_wrong = prior.p_wrong(right, places - right)
        dev_agrees = 2 * entry.dev[AGREE] >= sum(entry.dev.values())
        if entry.p_wrong < 1 - options.confidence and dev_agrees:
            entry.action = ADD
    return {key: e for key, e in candidates.items() if e.action == ADD}


def load_teacher(path: PathLike) -> Language:
    """The pipeline at `path`; a path that is not one is refused in one line."""
    return load_pipeline(
        path,
        "is not a trained spaCy pipeline",
        "pass a folder `dynclean train` wrote, e.g. training/cleaned/model-best",
    )


def check_teacher_labels(
    nlp: Language, path: PathLike, data_labels: Mapping[str, int], data_path: PathLike
) -> None:
    """Refuse a teacher whose entity types are not the data's (`data_labels`,
    `io.docbin.entity_labels` of `data_path`)."""
    check_label_sets(
        data_labels,
        str(data_path),
        pipeline_labels(nlp),
        str(path),
        fix="train the teacher on data with the same label names",
    )


def predicted_entities(
    docs: Iterable[Doc], nlp: Language, batch_size: int = 256
) -> Iterator[list[tuple[int, int, str]]]:
    """The entities `nlp` predicts on a copy of the words of every doc, in order."""
    words = (Doc(nlp.vocab, words=[t.text for t in doc]) for doc in docs)
    for predicted in nlp.pipe(words, batch_size=batch_size):
        yield [(e.start, e.end, e.label_) for e in predicted.ents]


def _entity_aums(scores_dir: PathLike) -> dict[tuple[str, int, int], float]:
    """The AUM of every scored entity, by (doc id, start, end)."""
    return {
        (row["doc_id"], row["start"], row["end"]): row["aum"]
        for row in iter_score_rows(scores_dir)
        if row["kind"] == "entity" and row.get("aum") is not None
    }


def write_entries(entries: Mapping[EntryKey, Entry], scores_dir: PathLike) -> Path:
    """Write `entries.jsonl` into the scores folder, most harmful first, atomically."""
    Path(scores_dir).mkdir(parents=True, exist_ok=True)
    path = Path(scores_dir) / ENTRIES_FILE
    with atomic_output(path) as tmp:
        srsly.write_jsonl(tmp, [entry.to_line() for entry in ranked(entries.values())])
    return path


def ranked(entries: Iterable[Entry]) -> list[Entry]:
    """Most harmful first (expected wrong occurrences), then the most frequent."""
    return sorted(entries, key=lambda e: (-e.harm, -e.n, e.words, e.label))


def read_entries(path: PathLike) -> list[dict[str, Any]]:
    """The lines of an entry table; a line that is not one is refused."""
    lines = []
    for n, line in iter_json_lines(path, hint=NOT_ENTRIES):
        if not (
            isinstance(line.get("words"), list)
            and isinstance(line.get("label"), str)
            and line.get("action") in ENTRY_ACTIONS
            and (line["action"] == RELABEL) == isinstance(line.get("repair"), str)
        ):
            raise DataError(
                path,
                "not an entry: needs 'words' (a list), 'label', an 'action' "
                f"({' | '.join(ENTRY_ACTIONS)}) and a 'repair' type exactly for {RELABEL!r}",
                record=n,
                hint=NOT_ENTRIES,
            )
        lines.append(line)
    return lines
