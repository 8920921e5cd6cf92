"""Sharded DocBin folders: convert and clean stream into `<folder>/<name>-00000.spacy`, ...
with the same docs, order and ids as one file; the fingerprint streams and ignores order."""

import json
import tempfile
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin
from spacy.training import Corpus
from spacy.vocab import Vocab
from strategies import (
    dsner_records,  # tests/io is not a package: its modules import by name
)

from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.recipes import load_recipe
from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.docbin import convert_file, iter_docbin_as_stored, write_docbin
from spacy_dynclean.io.dsner import doc_to_dsner, read_dsner, write_dsner
from spacy_dynclean.io.fingerprint import fingerprint_docs
from spacy_dynclean.io.ids import get_doc_id
from tests.cleaning.helpers import flag, write_scores_dir

RECORDS = [
    {"tokens": ["Ann", f"w{i}"], "entities": [[0, 0, "PER"]] if i % 2 else []}
    for i in range(7)
]


def source(tmp_path: Path) -> Path:
    path = tmp_path / "train.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    return path


def content(path: Path) -> list:
    return [(get_doc_id(doc), doc_to_dsner(doc)) for doc in iter_docbin_as_stored(path)]


def test_folder_output_is_shards_with_the_same_docs_and_ids(tmp_path: Path) -> None:
    convert_file(source(tmp_path), tmp_path / "one.spacy")
    stats, _ = convert_file(source(tmp_path), tmp_path / "shards", shard_size=3)
    assert stats.docs == 7
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == [
        "shards-00000.spacy",
        "shards-00001.spacy",
        "shards-00002.spacy",
    ]
    assert content(tmp_path / "shards") == content(tmp_path / "one.spacy")
    assert [get_doc_id(doc) for doc in iter_docbin_as_stored(tmp_path / "shards")] == [
        f"train:{n}" for n in range(1, 8)
    ]
    nlp = spacy.blank("en")
    examples = list(
        Corpus(tmp_path / "shards", shuffle=False)(nlp)
    )  # what `spacy train` reads
    assert [eg.reference.text for eg in examples] == [
        doc.text for doc in iter_docbin_as_stored(tmp_path / "one.spacy")
    ]


def test_rewriting_a_shard_folder_replaces_it(tmp_path: Path) -> None:
    convert_file(source(tmp_path), tmp_path / "shards", shard_size=1)
    convert_file(source(tmp_path), tmp_path / "shards")
    assert [p.name for p in (tmp_path / "shards").iterdir()] == ["shards-00000.spacy"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shards", "train.json"]


def test_bad_outputs_and_failures_leave_nothing(tmp_path: Path) -> None:
    with pytest.raises(DynCleanError, match="--shard-size needs an output folder"):
        convert_file(source(tmp_path), tmp_path / "out.spacy", shard_size=2)
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="holds other files than .spacy shards"):
        convert_file(source(tmp_path), tmp_path / "mixed")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(RECORDS * 3 + [{"tokens": [], "entities": []}]))
    with pytest.raises(DataError, match="record 22: empty sentence"):
        convert_file(bad, tmp_path / "shards", shard_size=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.json",
        "mixed",
        "train.json",
    ]
    with pytest.raises(DataError, match="the folder holds no .spacy files"):
        list(iter_docbin_as_stored(tmp_path / "mixed"))


def test_clean_reads_and_writes_shards(tmp_path: Path) -> None:
    convert_file(source(tmp_path), tmp_path / "one.spacy")
    convert_file(source(tmp_path), tmp_path / "shards", shard_size=2)
    docs = list(iter_docbin_as_stored(tmp_path / "one.spacy"))
    rows = [
        flag("train:2", 0, 1, "entity", "PER"),
        flag("train:5", 1, 2, "non_entity", "O"),
    ]
    scores = write_scores_dir(tmp_path / "scores", rows, docs=docs)
    clean_docbin(
        tmp_path / "one.spacy",
        scores,
        tmp_path / "clean.spacy",
        load_recipe("cleaned"),
        audit_path=tmp_path / "a1.jsonl",
    )
    report = clean_docbin(
        tmp_path / "shards",
        scores,
        tmp_path / "clean",
        load_recipe("cleaned"),
        audit_path=tmp_path / "a2.jsonl",
        shard_size=3,
    )
    assert (
        report.n_docs,
        report.actions["removed_entity"],
        report.actions["marked_missing"],
    ) == (7, 1, 1)
    assert len(list((tmp_path / "clean").iterdir())) == 3
    one = [
        (get_doc_id(d), [t.ent_iob for t in d], [e.label_ for e in d.ents])
        for d in iter_docbin_as_stored(tmp_path / "clean.spacy")
    ]
    sharded = [
        (get_doc_id(d), [t.ent_iob for t in d], [e.label_ for e in d.ents])
        for d in iter_docbin_as_stored(tmp_path / "clean")
    ]
    assert one == sharded and one[1][1] == [0, 2] and one[4][1] == [2, 0]
    assert (tmp_path / "a1.jsonl").read_bytes() == (tmp_path / "a2.jsonl").read_bytes()


def test_fingerprint_streams_and_ignores_order(tmp_path: Path) -> None:
    convert_file(source(tmp_path), tmp_path / "one.spacy")
    convert_file(source(tmp_path), tmp_path / "shards", shard_size=2)
    docs = list(iter_docbin_as_stored(tmp_path / "one.spacy"))
    labels = ["PER"]
    found = fingerprint_docs(iter_docbin_as_stored(tmp_path / "shards"), labels)
    assert (
        found
        == fingerprint_docs(docs, labels)
        == fingerprint_docs(reversed(docs), labels)
    )
    assert found != fingerprint_docs(docs, ["PER", "LOC"])  # other label set
    assert found != fingerprint_docs(docs[:-1], labels)  # a doc less
    assert found != fingerprint_docs(docs + docs[:1], labels)  # a doc twice
    changed = list(iter_docbin_as_stored(tmp_path / "one.spacy"))
    changed[3].set_ents(
        [], default="outside"
    )  # another version of the same file: one entity less
    assert found != fingerprint_docs(changed, labels)


@settings(max_examples=30, deadline=None)
@given(st.lists(dsner_records(), min_size=1, max_size=7), st.integers(1, 3))
def test_convert_shards_export_convert_is_lossless(
    records: list, shard_size: int
) -> None:
    """DS-NER file → sharded DocBin → DS-NER file → DocBin: the same records and ids."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "train.json").write_text(json.dumps(records), encoding="utf-8")
        convert_file(tmp / "train.json", tmp / "corpus", shard_size=shard_size)
        assert write_dsner(
            iter_docbin_as_stored(tmp / "corpus"), tmp / "export" / "train.json"
        ) == len(records)
        assert (
            json.loads((tmp / "export" / "train.json").read_text(encoding="utf-8"))
            == records
        )
        convert_file(tmp / "export" / "train.json", tmp / "again.spacy")
        assert content(tmp / "again.spacy") == content(tmp / "corpus")


def test_docbin_bytes_and_user_data_as_spacy_writes_them(tmp_path: Path) -> None:
    """Our DocBin writer packs the user data itself (for speed): the bytes are spaCy's."""
    docs = list(read_dsner(source(tmp_path)))
    for doc in docs[:2]:
        doc.user_data["dynclean_meta"] = {"source": "web", "n": [1, 2]}
    write_docbin(docs, tmp_path / "ours.spacy")
    assert (tmp_path / "ours.spacy").read_bytes() == DocBin(
        store_user_data=True, docs=docs
    ).to_bytes()
    back = list(iter_docbin_as_stored(tmp_path / "ours.spacy"))
    assert [doc.user_data for doc in back] == [
        doc.user_data
        for doc in DocBin()
        .from_bytes(DocBin(store_user_data=True, docs=docs).to_bytes())
        .get_docs(Vocab())
    ]


def test_killed_convert_leaves_no_output(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing shards: OUTPUT never exists half-written (the
    shards go to a hidden temp folder, renamed into place at the end)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    big = tmp_path / "big.json"
    big.write_text(json.dumps(RECORDS * 3000), encoding="utf-8")
    out = tmp_path / "corpus"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spacy_dynclean",
            "convert",
            str(big),
            str(out),
            "--shard-size",
            "1000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while (
        not list(tmp_path.glob(".corpus.*.tmp/*.spacy"))
        and process.poll() is None
        and time.time() < deadline
    ):
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, (
        "convert ended before it could be killed"
    )
    assert not out.exists()
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".corpus.")
    ]  # only the hidden temp folder
