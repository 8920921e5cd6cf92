"""`dynclean annotate --pipeline`: a spaCy pipeline's entities as the distant labels."""

import random
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from typer.testing import CliRunner, Result

import spacy_dynclean.cli.annotate  # noqa: F401  (registers the command on the app)
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.annotate import META_KEY, annotate_file
from spacy_dynclean.io.annotate_pipeline import annotate_with_pipeline
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.ids import get_doc_id

TEXTS = "Anna Lee lives in Paris.\n\nBob met Anna Lee at Acme Corp in Paris, France.\n"
PATTERNS = [
    {"label": "PERSON", "pattern": "Anna Lee"},
    {"label": "GPE", "pattern": "Paris"},
    {"label": "GPE", "pattern": "France"},
    {"label": "ORG", "pattern": "Acme Corp"},
]


def ruler(path: Path, patterns: list[dict] = PATTERNS) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.to_disk(path)
    return path


def trained_ner(path: Path) -> Path:
    """A tiny ner trained here for a few steps (seconds): whatever it predicts, its
    labels are PERSON and GPE."""
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    data = [
        ("Anna Lee lives in Paris .", [(0, 8, "PERSON"), (18, 23, "GPE")]),
        ("Bob went to Rome .", [(0, 3, "PERSON"), (12, 16, "GPE")]),
    ]
    examples = [
        Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in data
    ]
    optimizer = nlp.initialize(lambda: examples)
    random.seed(0)
    for _ in range(10):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(path)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def ents(doc: Doc) -> list[tuple[str, str]]:
    return [(ent.text, ent.label_) for ent in doc.ents]


def annotate(tmp_path: Path, pipeline: Path | str, text: str = TEXTS, **kwargs):
    texts = write(tmp_path / kwargs.pop("text_name", "texts.txt"), text)
    out = tmp_path / kwargs.pop("out", "out.spacy")
    stats, notes, known = annotate_with_pipeline(texts, str(pipeline), out, **kwargs)
    docs = list(iter_docbin_as_stored(out))
    assert stats.docs == len(docs)
    assert all(token.ent_iob != 0 for doc in docs for token in doc), "no missing"
    return docs, notes, known


def test_entity_ruler_entities_tokens_and_ids(tmp_path: Path) -> None:
    docs, notes, known = annotate(tmp_path, ruler(tmp_path / "ruler"))
    assert known == {"PERSON", "GPE", "ORG"}
    assert [get_doc_id(doc) for doc in docs] == ["texts:1", "texts:3"]
    assert [t.text for t in docs[0]] == ["Anna", "Lee", "lives", "in", "Paris", "."]
    assert docs[1].text == TEXTS.splitlines()[2], "the pipeline's whitespace is kept"
    assert ents(docs[1]) == [
        ("Anna Lee", "PERSON"),
        ("Acme Corp", "ORG"),
        ("Paris", "GPE"),
        ("France", "GPE"),
    ]
    assert (notes.matches, notes.blank_lines, notes.entities_dropped) == (6, 1, 0)


def test_ids_and_tokens_are_the_gazetteer_forms(tmp_path: Path) -> None:
    """The same dictionary as a gazetteer and as an EntityRuler: the same docs."""
    docs, _, _ = annotate(tmp_path, ruler(tmp_path / "ruler"))
    gazetteer = "".join(f"{p['pattern']}\t{p['label']}\n" for p in PATTERNS)
    out = tmp_path / "gaz.spacy"
    annotate_file(tmp_path / "texts.txt", write(tmp_path / "gaz.tsv", gazetteer), out)
    expected = list(iter_docbin_as_stored(out))
    assert [(get_doc_id(d), [t.text for t in d], ents(d)) for d in docs] == [
        (get_doc_id(d), [t.text for t in d], ents(d)) for d in expected
    ]


def test_labels_kept_and_mapped(tmp_path: Path) -> None:
    docs, notes, _ = annotate(
        tmp_path,
        ruler(tmp_path / "ruler"),
        labels=["PERSON,GPE"],
        label_map={"PERSON": "PER", "GPE": "LOC"},
    )
    assert ents(docs[1]) == [("Anna Lee", "PER"), ("Paris", "LOC"), ("France", "LOC")]
    assert all(t.ent_iob_ == "O" for t in docs[1][5:7]), "a dropped entity is O"
    assert notes.entities_dropped == 1


def test_jsonl_ids_meta_shards_and_workers(tmp_path: Path) -> None:
    lines = "".join(
        f'{{"text": "Anna Lee sings {i}.", "id": "s{i}", "source": "web"}}\n'
        for i in range(7)
    )
    pipeline = ruler(tmp_path / "ruler")
    one, _, _ = annotate(tmp_path, pipeline, lines, text_name="t.jsonl")
    shards, _, _ = annotate(
        tmp_path,
        pipeline,
        lines,
        text_name="t.jsonl",
        out="shards",
        shard_size=3,
        n_process=2,
        batch_size=2,
    )
    assert len(list((tmp_path / "shards").glob("*.spacy"))) == 3
    assert [get_doc_id(d) for d in shards] == [f"s{i}" for i in range(7)]
    assert shards[0].user_data[META_KEY] == {"source": "web"}
    assert [ents(d) for d in shards] == [ents(d) for d in one]


def test_trained_ner_pipeline(tmp_path: Path) -> None:
    pipeline = trained_ner(tmp_path / "ner")
    docs, notes, known = annotate(
        tmp_path, pipeline, label_map={"PERSON": "PER", "GPE": "LOC"}
    )
    assert known == {"PERSON", "GPE"}
    assert len(docs) == 2 and notes.matches == sum(len(d.ents) for d in docs)
    assert {label for d in docs for _, label in ents(d)} <= {"PER", "LOC"}
    assert not any(d.has_annotation("TAG") or d.tensor.size for d in docs)


def test_pipeline_from_a_config(tmp_path: Path) -> None:
    """A .cfg is assembled and initialised (how spacy-llm and gliner-spacy configs run)."""
    config = write(
        tmp_path / "labeller.cfg",
        '[nlp]\nlang = "en"\npipeline = ["entity_ruler"]\n\n'
        '[components]\n\n[components.entity_ruler]\nfactory = "entity_ruler"\n\n'
        "[initialize]\n\n[initialize.components]\n\n"
        "[initialize.components.entity_ruler]\n"
        'patterns = [{"label": "GPE", "pattern": "Paris"}]\n',
    )
    docs, _, known = annotate(tmp_path, config)
    assert known == {"GPE"} and ents(docs[0]) == [("Paris", "GPE")]


def blank_with(tmp_path: Path, *pipes: str) -> Path:
    nlp: Language = spacy.blank("en")
    for pipe in pipes:
        nlp.add_pipe(pipe)
    nlp.to_disk(tmp_path / "pipe")
    return tmp_path / "pipe"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"labels": ["ORG", "LAW"]}, "--labels: LAW is not a label of the pipeline"),
        ({"label_map": {"PER": "X"}}, "--label-map: PER is not a label"),
        ({"label_map": {"GPE": "O"}}, "--label-map: GPE=O: label 'O' is not an entity"),
        (
            {"labels": ["PERSON"], "label_map": {"GPE": "LOC"}},
            "GPE is renamed but not kept by --labels",
        ),
    ],
)
def test_bad_labels_write_nothing(tmp_path: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        annotate(tmp_path, ruler(tmp_path / "ruler"), **kwargs)
    assert not (tmp_path / "out.spacy").exists()


def test_bad_pipelines_write_nothing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no component sets entities.*sentencizer"):
        annotate(tmp_path, blank_with(tmp_path, "sentencizer"))
    with pytest.raises(
        DataError, match="entity components .entity_ruler. have no labels"
    ):
        annotate(tmp_path, ruler(tmp_path / "empty", []))
    with pytest.raises(DataError, match="nope: cannot be loaded as a spaCy pipeline"):
        annotate(tmp_path, "nope")
    with pytest.raises(DataError, match="missing.txt: file not found"):
        annotate_with_pipeline(tmp_path / "missing.txt", "nope", tmp_path / "out.spacy")
    assert not (tmp_path / "out.spacy").exists()


def run(*args: object) -> Result:
    return CliRunner().invoke(app, ["annotate", *map(str, args)])


def test_cli_pipeline_form(tmp_path: Path) -> None:
    texts, pipeline = write(tmp_path / "t.txt", TEXTS), ruler(tmp_path / "ruler")
    out = tmp_path / "out.spacy"
    result = run(texts, "--pipeline", pipeline, out, "--label-map", "PERSON=PER")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 docs" in result.output and "PER " in result.output
    docs = list(iter_docbin_as_stored(out))
    assert ents(docs[0]) == [("Anna Lee", "PER"), ("Paris", "GPE")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["gaz.tsv", "--pipeline", "ruler", "out.spacy"], "both a GAZETTEER"),
        (["out.spacy"], "needs a GAZETTEER and an OUTPUT, or --pipeline"),
        (["--pipeline", "ruler"], "--pipeline needs an OUTPUT"),
        (
            ["--pipeline", "ruler", "out.spacy", "--lowercase"],
            "--lowercase only applies",
        ),
        (["gaz.tsv", "out.spacy", "--labels", "PER"], "--labels only applies"),
        (
            ["--pipeline", "ruler", "out.spacy", "--label-map", "PER"],
            "expected OLD=NEW",
        ),
    ],
)
def test_cli_one_form_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "t.txt", TEXTS)
    write(tmp_path / "gaz.tsv", "Paris\tGPE\n")
    ruler(tmp_path / "ruler")
    result = run("t.txt", *args)
    assert result.exit_code != 0
    assert isinstance(result.exception, DynCleanError)
    assert message in str(result.exception)
    assert not (tmp_path / "out.spacy").exists()
