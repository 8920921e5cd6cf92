import srsly
from spacy.tokens import DocBin
from typer.testing import CliRunner

import spacy_dynclean.cli.clean  # noqa: F401  (registers the command)
import spacy_dynclean.cli.score  # noqa: F401
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import MismatchError
from spacy_dynclean.io.fingerprint import fingerprint_docs

from ..scoring.records_helpers import REFERENCE, run_samples, write_records
from .helpers import VOCAB, ents_of, make_doc, write_docbin

runner = CliRunner()
WORDS = [f"w{i}" for i in range(len(REFERENCE))]
DATA_ENTS = [(i, i + 1, "PER") for i in range(5)] + [(10, 12, "LOC")]


def test_score_then_clean_with_gold(tmp_path):
    docs = [make_doc(WORDS, DATA_ENTS, f"train:{i}") for i in (1, 2)]
    fp = fingerprint_docs(docs, ["PER", "LOC"])
    run0 = write_records(
        tmp_path / "r0",
        run_samples(0, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [0.1, 0.1, -4]}),
        fingerprint=fp,
    )
    run1 = write_records(
        tmp_path / "r1",
        run_samples(1, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [1, 1, 1]}),
        fold=1,
        fingerprint=fp,
    )
    result = runner.invoke(
        app, ["score", str(run0), str(run1), str(tmp_path / "scores")]
    )
    assert result.exit_code == 0, result.output
    data = write_docbin(docs, tmp_path / "train.spacy")
    gold_ents = [(i, i + 1, "PER") for i in range(5)] + [
        (12, 13, "PER")
    ]  # doc 2: LOC is wrong, token 12 is PER
    gold = write_docbin(
        [make_doc(WORDS, DATA_ENTS, "train:1"), make_doc(WORDS, gold_ents, "train:2")],
        tmp_path / "gold.spacy",
    )
    out, audit = tmp_path / "clean.spacy", tmp_path / "audit.jsonl"
    result = runner.invoke(
        app,
        [
            "clean",
            str(data),
            str(tmp_path / "scores"),
            str(out),
            "--audit",
            str(audit),
            "--gold",
            str(gold),
        ],
    )
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(out).get_docs(VOCAB))
    assert (
        len(docs) == 2
        and ents_of(docs[0]) == DATA_ENTS
        and ents_of(docs[1]) == DATA_ENTS[:5]
    )
    assert [t.ent_iob for t in docs[1]][10:] == [0, 0, 0]
    lines = list(srsly.read_jsonl(audit))
    assert [(line["start"], line["end"], line["action"]) for line in lines] == [
        (10, 12, "removed_entity"),
        (12, 13, "marked_missing"),
    ]
    detection = srsly.read_json(tmp_path / "audit.detection.json")
    assert detection["pos"]["precision"] == 1.0 and detection["pos"]["recall"] == 1.0
    assert detection["neg"]["precision"] == 1.0 and detection["neg"]["n_errors"] == 1
    assert "AUROC" in result.output


def test_clean_refuses_data_of_other_scores(tmp_path):
    run0 = write_records(
        tmp_path / "r0",
        run_samples(0, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [0.1, 0.1, -4]}),
    )
    assert (
        runner.invoke(app, ["score", str(run0), str(tmp_path / "scores")]).exit_code
        == 0
    )
    data = write_docbin(
        [make_doc(WORDS, DATA_ENTS[:5], f"train:{i}") for i in (1, 2)],
        tmp_path / "train.spacy",
    )
    result = runner.invoke(
        app, ["clean", str(data), str(tmp_path / "scores"), str(tmp_path / "out.spacy")]
    )
    assert isinstance(result.exception, MismatchError) and "not the data" in str(
        result.exception
    )
    assert not (tmp_path / "out.spacy").exists()


def test_clean_recipes_and_overrides(tmp_path):
    from .helpers import flag, write_scores_dir

    doc = make_doc("I flew to New York today".split(), [(4, 5, "LOC")], "train:1")
    rows = [flag("train:1", 4, 5, "entity", "LOC", flagged=False)]
    data = write_docbin([doc], tmp_path / "train.spacy")
    scores = write_scores_dir(tmp_path / "scores", rows, docs=[doc])
    found = {}
    for name, extra in [
        ("default", []),
        ("nocap", ["--recipe", "cleaned_nocap"]),
        ("no neighbours", ["--cleaning.rules", '["aum_flags", "capitalised_edges"]']),
    ]:
        out = tmp_path / f"clean-{len(found)}.spacy"
        result = runner.invoke(app, ["clean", str(data), str(scores), str(out), *extra])
        assert result.exit_code == 0, result.output
        (cleaned,) = DocBin().from_disk(out).get_docs(VOCAB)
        found[name] = ents_of(cleaned)
    # by default "New" is flagged, and "York" goes missing with it
    assert found == {
        "default": [],
        "nocap": [(4, 5, "LOC")],
        "no neighbours": [(4, 5, "LOC")],
    }


def test_clean_refuses_a_recipe_that_cannot_run(tmp_path):
    from .helpers import write_scores_dir

    doc = make_doc(["w"], [], "train:1")
    data = write_docbin([doc], tmp_path / "train.spacy")
    scores = write_scores_dir(tmp_path / "scores", [], docs=[doc])
    bad = tmp_path / "mine.cfg"
    bad.write_text(
        '[cleaning]\nrules = ["aum_flags", "typo"]\n\n[rules]\n\n[rules.aum_flags]\n'
        '@cleaning_rules = "spacy-dynclean.aum_flags.v1"\n'
    )
    for recipe, message in [
        ("polished", "no such recipe"),
        (str(bad), "no [rules.NAME] block"),
    ]:
        out = tmp_path / "out.spacy"
        result = runner.invoke(
            app, ["clean", str(data), str(scores), str(out), "--recipe", recipe]
        )
        assert message in str(result.exception)
        assert not out.exists()
