"""The entity types a reader may set: every reader's types pass `check_label`."""

from ..errors import DataError
from ..util import PathLike

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
