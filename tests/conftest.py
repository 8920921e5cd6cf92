"""Shared fixtures: tiny corpora built in memory, and the shared DS-NER data gate."""

import os
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

from spacy_dynclean.io.ids import set_doc_id

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "dsner"
REQUIRE_SHARED = os.environ.get("DYNCLEAN_REQUIRE_SHARED") == "1"

TINY = [
    ("Alice lives in Paris", [(0, 1, "PER"), (3, 4, "LOC")]),
    ("Bob works at Acme Corp", [(0, 1, "PER"), (3, 5, "ORG")]),
    ("I saw nothing there", []),
    ("Carol visited Berlin and Rome", [(0, 1, "PER"), (2, 3, "LOC"), (4, 5, "LOC")]),
]


def make_doc(
    nlp, words: list[str], ents: list[tuple[int, int, str]], doc_id: str
) -> Doc:
    doc = Doc(nlp.vocab, words=words)
    doc.set_ents(
        [Span(doc, s, e, label=label) for s, e, label in ents], default="outside"
    )
    return set_doc_id(doc, doc_id)


@pytest.fixture
def tiny_docs():
    nlp = spacy.blank("en")
    return [
        make_doc(nlp, text.split(), ents, f"tiny:{i + 1}")
        for i, (text, ents) in enumerate(TINY * 3)
    ]


@pytest.fixture
def tiny_docbin(tmp_path, tiny_docs):
    path = tmp_path / "train.spacy"
    DocBin(docs=tiny_docs, store_user_data=True).to_disk(path)
    return path


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """A tiny random BERT saved as a local model folder (for the trf configs)."""
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("spacy_transformers")
    path = tmp_path_factory.mktemp("tiny-bert")
    words = "alice bob carol lives works visited in at and paris berlin rome acme corp i saw nothing there".split()
    (path / "vocab.txt").write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words),
        encoding="utf8",
    )
    config = transformers.BertConfig(
        vocab_size=5 + len(words),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
    )
    transformers.BertModel(config).save_pretrained(path)
    transformers.BertTokenizerFast(
        vocab_file=str(path / "vocab.txt"), do_lower_case=True
    ).save_pretrained(path)
    return path


def shared_dataset(name: str) -> Path:
    """The folder of a shared DS-NER benchmark; skips (or fails in CI) without it."""
    path = SHARED / name
    if not path.exists():
        if REQUIRE_SHARED:
            pytest.fail(f"DYNCLEAN_REQUIRE_SHARED=1 but {path} does not exist")
        pytest.skip(
            f"needs the DS-NER benchmarks in {SHARED} (present only in the project's CI)"
        )
    return path
