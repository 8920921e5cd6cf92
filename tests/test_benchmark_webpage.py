"""End to end on the smallest real dataset (webpage): the whole method runs, and
cleaning keeps every document."""

import spacy
import srsly
from spacy.tokens import DocBin

from spacy_dynclean.benchmark import BenchmarkSettings, run_benchmark
from spacy_dynclean.io.ids import get_doc_id
from spacy_dynclean.report import write_report
from spacy_dynclean.training.selection import SelectionSettings
from tests.conftest import shared_dataset


def test_benchmark_runs_on_webpage(tmp_path):
    data = shared_dataset("webpage")
    settings = BenchmarkSettings(
        variants=["raw", "cleaned", "self_trained", "selected"],
        teachers=["cnn"],
        selection=SelectionSettings(n_bootstrap=200),
        ner_overrides={"training.max_steps": 300, "training.eval_frequency": 100},
    )
    metrics = run_benchmark(data, tmp_path, settings)
    vocab = spacy.blank("en").vocab
    raw = list(
        DocBin().from_disk(tmp_path / "corpus" / "train-ds.spacy").get_docs(vocab)
    )
    cleaned = list(
        DocBin().from_disk(tmp_path / "corpus" / "train-cleaned.spacy").get_docs(vocab)
    )
    assert len(raw) == len(srsly.read_json(data / "train-ds.json")) == len(cleaned)
    assert [get_doc_id(d) for d in raw] == [get_doc_id(d) for d in cleaned]
    assert [[t.text for t in d] for d in raw] == [[t.text for t in d] for d in cleaned]
    # cleaning removes entities, relabels those its entry table says, marks tokens
    # missing: every entity it keeps is a distant span, with its type or the entry's
    relabeled = {
        (line["doc_id"], line["start"], line["end"], line["repair"])
        for line in srsly.read_jsonl(tmp_path / "scores" / "audit-cleaned.jsonl")
        if line["action"] == "relabeled_entity"
    }
    for before, after in zip(raw, cleaned):
        spans = {(e.start, e.end, e.label_) for e in before.ents}
        for e in after.ents:
            key = (get_doc_id(after), e.start, e.end, e.label_)
            assert key[1:] in spans or key in relabeled
    assert metrics["cleaning"]["cleaned"]["docs"] == len(raw)
    assert metrics["entries"]["cleaned"]["n_checked_entries"] > 0
    _self_training_only_fills_missing_tokens(tmp_path, cleaned, vocab)
    assert metrics["self_training"]["teachers"] == ["cleaned", "cnn"]
    assert metrics["self_training"]["docs"] == len(raw)
    assert metrics["self_training"]["detection"]["n_reachable"] > 0
    for variant in ("raw", "cleaned", "self_trained"):
        assert 0.0 <= metrics[variant]["f"] <= 1.0
    # the product: chosen on dev among the candidates, its model evaluated on test
    chosen = metrics["selection"]["selected"]
    assert metrics["selected"]["candidate"] == chosen
    assert chosen in metrics["selection"]["settings"]["candidates"]
    if chosen in ("raw", "cleaned"):
        assert metrics["selected"]["f"] == metrics[chosen]["f"]
    assert (
        metrics["provenance"]["machine"]["cpus"] and metrics["provenance"]["seed"] == 0
    )
    for side in ("pos", "neg"):
        assert metrics["detection"][side]["n_judged"] > 0
    assert srsly.read_json(tmp_path / "metrics.json")["time_s"]["train_cleaned"] > 0
    _loads_without_spacy_dynclean(tmp_path / "training" / "cleaned" / "model-best")
    # the report takes the audit of the shipped recipe, entry decisions and all
    scores = tmp_path / "scores"
    result = write_report(
        scores,
        scores / "audit-cleaned.jsonl",
        tmp_path / "corpus" / "train-ds.spacy",
        tmp_path / "report",
        entries_path=scores / "cleaned" / "entries.jsonl",
        teacher_audit_path=scores / "audit-self_trained.jsonl",
    )
    assert "Dictionary entries" in result.index.read_text(encoding="utf8")


def _self_training_only_fills_missing_tokens(tmp_path, cleaned, vocab):
    """Self-training keeps every doc and every kept entity; what it adds lies on
    tokens the cleaning left missing, as its audit says."""
    path = tmp_path / "corpus" / "train-self_trained.spacy"
    trained = list(DocBin().from_disk(path).get_docs(vocab))
    audit = srsly.read_jsonl(tmp_path / "scores" / "audit-self_trained.jsonl")
    added = {
        (line["doc_id"], line["start"], line["end"], line["repair"]) for line in audit
    }
    assert [get_doc_id(d) for d in trained] == [get_doc_id(d) for d in cleaned]
    for before, after in zip(cleaned, trained):
        kept = {(e.start, e.end, e.label_) for e in before.ents}
        now = {(e.start, e.end, e.label_) for e in after.ents}
        assert kept <= now
        for start, end, label in now - kept:
            assert (get_doc_id(after), start, end, label) in added
            assert all(t.ent_iob == 0 for t in before[start:end])


def _loads_without_spacy_dynclean(model_path):
    """The shipped pipeline is plain spaCy: nothing in its config or requirements
    refers to spacy-dynclean, and it loads and predicts."""
    nlp = spacy.load(model_path)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert "dynclean" not in nlp.config.to_str()
    assert not any("dynclean" in req for req in nlp.meta.get("requirements", []))
    assert nlp("Mike Tyson visited Paris .").has_annotation("ENT_IOB")
