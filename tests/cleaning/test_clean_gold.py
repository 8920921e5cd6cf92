"""`clean --gold`: the gold docs are checked against the data (ids, lengths, words)
before anything is written, so a bad gold file leaves no cleaned data, no audit and
no detection report behind."""

from pathlib import Path

import pytest
import srsly
from spacy.tokens import Doc
from typer.testing import CliRunner

import spacy_dynclean.cli.clean  # noqa: F401  (registers the command)
from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.gold import check_gold
from spacy_dynclean.cleaning.recipes import load_recipe
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.docbin import write_docbin as write_shards
from spacy_dynclean.io.ids import set_doc_id

from ..report import build_inputs
from .helpers import redone, write_docbin

runner = CliRunner()


def gold_docs(tmp_path: Path) -> list[Doc]:
    inputs = build_inputs(tmp_path)
    return list(iter_docbin_as_stored(inputs.gold))


def run_clean(tmp_path: Path, gold: Path):
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(
        app,
        [
            "clean",
            str(tmp_path / "train.spacy"),
            str(tmp_path / "scores"),
            str(out / "clean.spacy"),
            "--audit",
            str(out / "audit.jsonl"),
            "--gold",
            str(gold),
        ],
    )
    return result, out


def test_gold_with_other_words_is_refused_before_anything_is_written(tmp_path):
    docs = gold_docs(tmp_path)
    docs[1] = redone(
        docs[1], "Bob met Carol in Milan".split()
    )  # same id, same length: the old check passed it
    gold = write_docbin(docs, tmp_path / "bad-gold.spacy")
    result, out = run_clean(tmp_path, gold)
    assert result.exit_code != 0
    assert isinstance(result.exception, DataError)
    assert str(result.exception).startswith(
        f"{gold}, record 2: doc 'train:2' differs from "
    )
    assert "at token 4: 'Milan' in the gold file, 'Rome' in the data" in str(
        result.exception
    )
    assert list(out.iterdir()) == []


def test_gold_with_other_ids_hints_at_id_prefix_and_writes_nothing(tmp_path):
    docs = [
        set_doc_id(doc, f"train-gs:{n}")
        for n, doc in enumerate(gold_docs(tmp_path), start=1)
    ]
    gold = write_docbin(docs, tmp_path / "gold-gs.spacy")
    result, out = run_clean(tmp_path, gold)
    assert result.exit_code != 0
    message = str(result.exception)
    assert message.startswith(
        f"{gold}, record 1: doc 'train-gs:1' is not a doc of the data "
    )
    assert f"`dynclean convert train-gs.json {gold} --id-prefix train`" in message
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda docs: [
                *docs[:2],
                redone(docs[2], "Nothing happened here.".split()),
                docs[3],
            ],
            "record 3: doc 'train:3' has 3 tokens, 4 in ",
        ),
        (lambda docs: docs[:3], "holds 3 of the 4 docs of "),
        (
            lambda docs: [*docs, docs[0]],
            "record 5: sample id 'train:1' is also used by record 1",
        ),
    ],
)
def test_gold_of_other_docs_writes_nothing(tmp_path, change, expected):
    gold = write_docbin(change(gold_docs(tmp_path)), tmp_path / "bad-gold.spacy")
    result, out = run_clean(tmp_path, gold)
    assert result.exit_code != 0 and expected in str(result.exception), result.output
    assert list(out.iterdir()) == []


def test_missing_gold_writes_nothing(tmp_path):
    build_inputs(tmp_path)
    result, out = run_clean(tmp_path, tmp_path / "nope.spacy")
    assert result.exit_code != 0 and "nope.spacy" in str(result.exception)
    assert list(out.iterdir()) == []


def test_clean_docbin_checks_gold_first(tmp_path):
    docs = gold_docs(tmp_path)
    gold = write_docbin(docs[1:], tmp_path / "bad-gold.spacy")
    with pytest.raises(DataError, match="lacks 'train:1'"):
        clean_docbin(
            tmp_path / "train.spacy",
            tmp_path / "scores",
            tmp_path / "c.spacy",
            load_recipe("cleaned"),
            audit_path=tmp_path / "a.jsonl",
            gold_path=gold,
        )
    assert not (tmp_path / "c.spacy").exists() and not (tmp_path / "a.jsonl").exists()


def test_gold_in_another_order_and_shards_passes(tmp_path):
    docs = gold_docs(tmp_path)
    write_shards(
        list(iter_docbin_as_stored(tmp_path / "train.spacy")),
        tmp_path / "data",
        shard_size=3,
    )  # two shards
    gold = write_docbin(docs[::-1], tmp_path / "reversed.spacy")
    check_gold(tmp_path / "data", gold)
    result = runner.invoke(
        app,
        [
            "clean",
            str(tmp_path / "data"),
            str(tmp_path / "scores"),
            str(tmp_path / "c.spacy"),
            "--gold",
            str(gold),
        ],
    )
    assert result.exit_code == 0, result.output
    assert set(srsly.read_json(tmp_path / "detection.json")) == {"pos", "neg"}


def test_gold_words_differ_in_a_later_shard(tmp_path):
    docs = gold_docs(tmp_path)
    write_shards(
        list(iter_docbin_as_stored(tmp_path / "train.spacy")),
        tmp_path / "data",
        shard_size=3,
    )
    docs[3] = redone(docs[3], [docs[3][0].text, "and", docs[3][2].text])
    gold = write_docbin(docs, tmp_path / "bad-gold.spacy")
    with pytest.raises(
        DataError,
        match=r"record 4: doc 'train:4' differs from .*\(record 4\) at token 1: 'and' in",
    ):
        check_gold(tmp_path / "data", gold)
