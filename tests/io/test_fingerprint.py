"""The data fingerprint (`io.fingerprint`): pinned, so that a change of its definition
(which would refuse every scores folder written before) fails here first."""

import spacy
from spacy.tokens import Doc, Span

from spacy_dynclean.io.fingerprint import FINGERPRINT_VERSION, fingerprint_docs
from spacy_dynclean.io.ids import set_doc_id

# computed with `dynamics.records.fingerprint_docs` before it moved to `io.fingerprint`
PINNED = "v2-187ebaf6aa0e42adac647e137b5764be3032269168ca1cee4f659f9679c8dccd"
PINNED_EMPTY = "v2-be341839b20c3f441c5ba7bbbdc5c5bcc999d1202f3330bfb7c1d6daab04fb43"


def pinned_docs() -> list[Doc]:
    """Ids, a multi-token entity, a missing token, non-ASCII words, a doc without id."""
    vocab = spacy.blank("en").vocab
    a = Doc(vocab, words=["Alice", "lives", "in", "New", "York"])
    a.set_ents(
        [Span(a, 0, 1, label="PER"), Span(a, 3, 5, label="LOC")], default="outside"
    )
    set_doc_id(a, "train:1")
    b = Doc(vocab, words=["Bob", "saw", "Ünïcode"])
    b.set_ents([Span(b, 0, 1, label="PER")], missing=[Span(b, 2, 3)], default="outside")
    set_doc_id(b, "train:2")
    c = Doc(vocab, words=["no", "id", "here"])
    c.set_ents([], default="outside")
    return [a, b, c]


def test_fingerprint_is_pinned() -> None:
    assert FINGERPRINT_VERSION == "v2-"
    assert fingerprint_docs(pinned_docs(), ["PER", "LOC"]) == PINNED
    assert fingerprint_docs(reversed(pinned_docs()), ["LOC", "PER"]) == PINNED
    assert fingerprint_docs([], ["PER", "LOC"]) == PINNED_EMPTY


def test_fingerprint_module_is_pure() -> None:
    """io.fingerprint imports no stage: dynamics, cleaning and report import it."""
    import subprocess
    import sys

    code = (
        "import sys, spacy_dynclean.io.fingerprint; "
        "stages = ('dynamics', 'cleaning', 'report', 'scoring'); "
        "assert not [m for m in sys.modules if m.split('.')[1:2] and "
        "m.startswith('spacy_dynclean.') and m.split('.')[1] in stages]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
