"""The entity types a reader may set: every reader's types pass `check_label`; and
whether two label sets fit (`check_label_sets`): the one check every command that
brings a second label set to the training data's (a dev or gold set, a teacher, a
review file) makes before it writes anything."""

from collections.abc import Mapping, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from ..errors import DataError, MismatchError
from ..util import PathLike

if TYPE_CHECKING:
    from spacy.language import Language

FAKE_LABEL = "DYNCLEAN_FAKE"  # the type of the threshold samples' fake entities (`dynamics.component`)
# Types no reader may set, and why (spaCy 3.8 sources): "O" is the tag of a non-entity token
# (`ner.pyx`: MOVE_NAMES[OUT] = 'O'; `iob_utils.py`: "O" denotes a non-entity token) and the
# non-entity class of dynclean's layouts and scores, which drop a type "O" (so `clean` would
# find another fingerprint); "-" is the tag of a missing label (`ner.pyx` lookup_transition:
# name == '-' is MISSING; `iob_utils.py` tags_to_entities: a tag starting with "-").
RESERVED_LABELS = {
    "O": "spaCy's ner uses O for non-entities",
    "-": "spaCy's ner reads - as a missing label",
    FAKE_LABEL: "spacy-dynclean reserves it for the fake entities of its threshold samples",
}


def label_problem(label: str, item: str = "entity") -> tuple[str, str] | None:
    """(problem, hint) if the non-empty string `label` can't be an entity type, else None;
    `item`: what the hint tells the user to drop (an entity, a gazetteer entry)."""
    if label in RESERVED_LABELS:
        return (
            f"label {label!r} is not an entity type",
            f"{RESERVED_LABELS[label]}; drop the {item} or rename the type",
        )
    if label.startswith(
        "!"
    ):  # `ner.pyx` lookup_transition: "U-!X" raises E869 in training
        return (
            f"label {label!r} starts with '!'",
            "spaCy's ner refuses it, error E869: the old notation for 'not this entity'; rename the type",
        )
    if label != label.strip():
        return (
            f"label {label!r} starts or ends with whitespace",
            f"remove the whitespace: {label.strip()!r}",
        )
    return None


def check_label(
    path: PathLike, record: int | None, label: str, shown: str, item: str = "entity"
) -> str:
    """Refuse an entity type spaCy's ner (or dynclean) cannot take (`label_problem`);
    returns `label`. Every reader's types pass here."""
    problem = label_problem(label, item)
    if problem is not None:
        raise DataError(path, f"{shown}: {problem[0]}", record=record, hint=problem[1])
    return label


LabelCounts = Mapping[str, int]
RECONVERT = (
    "convert {path} again with the training data's names, e.g. `dynclean convert "
    "SOURCE {path} {flags}`"
)


def label_set_problem(
    data: LabelCounts, other: LabelCounts, subset: bool = False
) -> tuple[list[str], list[str]] | None:
    """(types only in `other`, types only in `data`) when the two label sets do not
    fit, else None. They fit when every type of `other` is one of `data`'s (a type of
    `data` that `other` lacks is fine: a rare type a dev set does not show), or, unless
    `subset`, when `other` merely adds types while naming all of `data`'s. Types with
    other names on each side (PERSON against PER) never fit."""
    only_other = sorted(set(other) - set(data))
    only_data = sorted(set(data) - set(other))
    if not only_other or not data or not other:
        return None
    if only_data or subset:
        return only_other, only_data
    return None


def label_map_guess(only_other: Sequence[str], only_data: Sequence[str]) -> str:
    """`--label-map OLD=NEW` flags pairing each type of one side with the closest of
    the other (a prefix, else the most similar name); `OLD=NEW` placeholders if none."""
    flags = []
    for label in only_other:
        prefix = [d for d in only_data if label.startswith(d) or d.startswith(label)]
        close = prefix or get_close_matches(label, only_data, n=1, cutoff=0.3)
        if close:
            flags.append(f"--label-map {label}={close[0]}")
    return " ".join(flags) or "--label-map OLD=NEW"


def check_label_sets(
    data: LabelCounts,
    data_name: str,
    other: LabelCounts,
    other_name: str,
    fix: str | None = None,
    subset: bool = False,
) -> list[str]:
    """Refuse `other` (a dev or gold set, a teacher, a review file: `other_name`, a
    path or what it is) whose entity types do not fit those of the training data
    `data_name` (`label_set_problem`), in one line naming both sides' types and, as
    `fix`, the way out (default: reconvert with renamed labels). Returns notes: the
    data's types `other` lacks."""
    problem = label_set_problem(data, other, subset)
    if problem is not None:
        only_other, only_data = problem
        flags = label_map_guess(only_other, only_data)
        raise MismatchError(
            f"{other_name} and {data_name} have different entity labels: "
            f"{', '.join(only_other)} only in {other_name}"
            + (f", {', '.join(only_data)} only in {data_name}" if only_data else "")
            + f" (theirs: {_names(other)}; the data's: {_names(data)}); nothing was "
            f"written: {fix or RECONVERT.format(path=other_name, flags=flags)}"
        )
    lacking = sorted(set(data) - set(other)) if other else []
    if not lacking:
        return []
    return [
        f"{other_name} has no {', '.join(lacking)} entities, a type of {data_name} "
        f"({', '.join(f'{label}: {data[label]}' for label in lacking)}): where it is "
        "compared with the data, such entities count as wrong"
    ]


def entity_components(nlp: "Language") -> dict[str, tuple[str, ...] | None]:
    """The components of a pipeline that set `doc.ents`, with their labels (None where
    the component does not say): those whose factory assigns `doc.ents` (ner,
    entity_ruler, gliner_spacy), a span_ruler with `annotate_ents`, and spacy-llm's
    `llm` with an NER task."""
    found = {}
    for name, proc in nlp.pipeline:
        settings = nlp.config["components"].get(name, {})
        task = str(settings.get("task", {}).get("@llm_tasks", ""))
        if (
            "doc.ents" in nlp.get_pipe_meta(name).assigns
            or settings.get("annotate_ents") is True
            or ".ner." in f".{task.lower()}."
        ):
            labels = getattr(proc, "labels", None)
            found[name] = None if labels is None else tuple(labels)
    return found


def pipeline_labels(nlp: "Language") -> dict[str, int]:
    """The entity types a pipeline's `ner` components predict (count 1 each); what
    a teacher is checked on (`entity_components` lists every entity setter)."""
    from spacy.pipeline import EntityRecognizer

    return {
        label: 1
        for _, proc in nlp.pipeline
        if isinstance(proc, EntityRecognizer)
        for label in proc.labels
    }


def _names(counts: LabelCounts) -> str:
    return ", ".join(sorted(counts)) or "none"
