"""Entity types spaCy's ner cannot take ("O", "-", "!X", " PER") and dynclean's own fake
type are refused by every reader at convert / annotate time, with one message
(`io.labels.check_label`); other types, however odd, still convert."""

import json
from pathlib import Path

import pytest
from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from spacy_dynclean.errors import DataError
from spacy_dynclean.io.annotate import annotate_file
from spacy_dynclean.io.docbin import convert_file, iter_docbin_as_stored

REFUSED = ["O", "-", "DYNCLEAN_FAKE", "!PER", "PER ", " PER"]
ACCEPTED = ["PER", "B-X", "U-BOAT", "WORK OF ART", "o", "ORG-X"]


def write_input(tmp_path: Path, kind: str, label: str) -> Path:
    """A one-doc input of `kind` whose one entity (over "Anna") is labelled `label`."""
    if kind == "json":
        path = tmp_path / "train.json"
        path.write_text(
            json.dumps([{"tokens": ["Anna", "sings"], "entities": [[0, 0, label]]}])
        )
    elif kind == "jsonl":
        path = tmp_path / "train.jsonl"
        path.write_text(
            json.dumps(
                {
                    "text": "Anna sings",
                    "spans": [{"start": 0, "end": 4, "label": label}],
                }
            )
            + "\n"
        )
    elif kind == "conll":
        path = tmp_path / "train.conll"
        path.write_text(f"Anna\tU-{label}\nsings\tO\n")
    else:
        path = tmp_path / "train.spacy"
        doc = Doc(Vocab(), words=["Anna", "sings"])
        doc.set_ents([Span(doc, 0, 1, label=label)], default="outside")
        DocBin(docs=[doc]).to_disk(path)
    return path


# CoNLL columns are stripped: a tag cannot carry surrounding whitespace
@pytest.mark.parametrize(
    "kind, label",
    [
        (kind, label)
        for kind in ("json", "jsonl", "conll", "spacy")
        for label in REFUSED
        if kind != "conll" or label == label.strip()
    ],
)
def test_every_reader_refuses_labels_ner_cannot_take(
    tmp_path: Path, kind: str, label: str
) -> None:
    source = write_input(tmp_path, kind, label)
    with pytest.raises(DataError) as err:
        convert_file(source, tmp_path / "out.spacy")
    message = str(err.value)
    assert message.startswith(f"{source}, record 1: ") and f"label {label!r}" in message
    assert not (tmp_path / "out.spacy").exists()


def test_label_o_message(tmp_path: Path) -> None:
    source = write_input(tmp_path, "json", "O")
    with pytest.raises(DataError) as err:
        convert_file(source, tmp_path / "out.spacy")
    assert str(err.value) == (
        f"{source}, record 1: entity [0, 0, \"O\"]: label 'O' is not an entity type "
        "(spaCy's ner uses O for non-entities; drop the entity or rename the type)"
    )


def test_conll_tag_of_type_o_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_text("Anna\tO\nsings\tB-O\n")
    with pytest.raises(
        DataError, match=r"record 1: line 2: tag 'B-O': label 'O' is not an entity type"
    ):
        convert_file(path, tmp_path / "out.spacy")


@pytest.mark.parametrize("kind", ["json", "jsonl", "spacy"])
@pytest.mark.parametrize("label", ACCEPTED)
def test_other_labels_still_convert(tmp_path: Path, kind: str, label: str) -> None:
    convert_file(write_input(tmp_path, kind, label), tmp_path / "out.spacy")
    (doc,) = iter_docbin_as_stored(tmp_path / "out.spacy")
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(0, 1, label)]


@pytest.mark.parametrize(
    "name, content",
    [
        ("gaz.tsv", "Anna\tPER\nsings\tO\n"),
        ("gaz.csv", "Anna,PER\nsings,-\n"),
        (
            "gaz.jsonl",
            '{"term": "Anna", "label": "PER"}\n'
            '{"pattern": [{"LOWER": "sings"}], "label": "DYNCLEAN_FAKE"}\n',
        ),
    ],
)
def test_gazetteer_refuses_labels_ner_cannot_take(
    tmp_path: Path, name: str, content: str
) -> None:
    (tmp_path / "texts.txt").write_text("Anna sings\n")
    (tmp_path / name).write_text(content)
    with pytest.raises(
        DataError,
        match=r"record 2: .*: label '[^']+' is not an entity type .*drop the entry",
    ):
        annotate_file(
            tmp_path / "texts.txt",
            tmp_path / name,
            tmp_path / "out.spacy",
            progress=False,
        )
    assert not (tmp_path / "out.spacy").exists()
