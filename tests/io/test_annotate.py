"""`dynclean annotate`: gazetteer reading, the matching rules, text input, ids, the CLI."""

import json
from pathlib import Path

import pytest
from spacy.tokens import Doc, DocBin
from typer.testing import CliRunner, Result

import spacy_dynclean.cli.annotate  # noqa: F401  (registers the command on the app)
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.annotate import (
    META_KEY,
    AnnotateNotes,
    Key,
    annotate_file,
    read_gazetteer,
)
from spacy_dynclean.io.common import blank
from spacy_dynclean.io.ids import get_doc_id

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> list[Doc]:
    return list(
        DocBin(store_user_data=True).from_disk(path).get_docs(blank("en").vocab)
    )


def ents(doc: Doc) -> list[tuple[str, str]]:
    return [(ent.text, ent.label_) for ent in doc.ents]


def annotate(
    tmp_path: Path, texts: str, gazetteer: str, gaz_name: str = "gaz.tsv", **kwargs
) -> tuple[list[Doc], AnnotateNotes]:
    text_path = write(tmp_path / kwargs.pop("text_name", "texts.txt"), texts)
    out = tmp_path / "out.spacy"
    stats, notes, _ = annotate_file(
        text_path, write(tmp_path / gaz_name, gazetteer), out, **kwargs
    )
    docs = load(out)
    assert stats.docs == len(docs)
    assert all(token.ent_iob != 0 for doc in docs for token in doc), (
        "every token is labelled"
    )
    return docs, notes


def test_longest_match_wins(tmp_path: Path) -> None:
    gaz = "New York\tLOC\nNew York Times\tORG\nAcme\tORG\nAcme Corp Ltd\tORG\n"
    docs, notes = annotate(
        tmp_path, "The New York Times praised Acme Corp Ltd in New York.\n", gaz
    )
    assert ents(docs[0]) == [
        ("New York Times", "ORG"),
        ("Acme Corp Ltd", "ORG"),
        ("New York", "LOC"),
    ]
    assert (notes.matches, notes.overlaps_dropped) == (5, 2)


def test_overlap_rule_longest_then_earliest(tmp_path: Path) -> None:
    gaz = "a b\tX\nb c\tY\nc d e\tZ\nf g\tX\ng h\tY\n"
    docs, notes = annotate(tmp_path, "a b c d e . f g h\n", gaz, pretokenized=True)
    # "c d e" (longest) beats "b c"; then "a b" is free; "f g" beats "g h" (same length, earlier start)
    assert ents(docs[0]) == [("a b", "X"), ("c d e", "Z"), ("f g", "X")]
    assert notes.overlaps_dropped == 2


def test_ambiguity_rule_majority_then_first_listed(tmp_path: Path) -> None:
    gaz = "Paris\tPER\nParis\tLOC\nParis\tLOC\nJordan\tPER\nJordan\tLOC\nRome\tLOC\nRome\tLOC\n"
    gazetteer = read_gazetteer(write(tmp_path / "g.tsv", gaz), str.split)
    assert gazetteer.labels[Key(False, ("Paris",))] == "LOC"  # listed most often
    assert gazetteer.labels[Key(False, ("Jordan",))] == "PER"  # a tie: listed first
    assert gazetteer.ambiguous == [
        Key(False, ("Paris",)),
        Key(False, ("Jordan",)),
    ]  # a repeated type is no ambiguity
    docs, notes = annotate(tmp_path, "Jordan left Paris for Rome\n", gaz)
    assert ents(docs[0]) == [("Jordan", "PER"), ("Paris", "LOC"), ("Rome", "LOC")]
    assert notes.ambiguous_matches == 2


def test_case_option(tmp_path: Path) -> None:
    gaz = "Acme Corp\tORG\nACME\tMISC\n"
    text = "acme corp and Acme Corp and ACME\n"
    docs, _ = annotate(tmp_path, text, gaz)
    assert ents(docs[0]) == [("Acme Corp", "ORG"), ("ACME", "MISC")]
    docs, _ = annotate(tmp_path, text, gaz, lowercase=True)
    assert ents(docs[0]) == [
        ("acme corp", "ORG"),
        ("Acme Corp", "ORG"),
        ("ACME", "MISC"),
    ]
    # with --lowercase, "apple" and "Apple" are one term: listed under two types, ambiguous
    gazetteer = read_gazetteer(
        write(tmp_path / "g.tsv", "Apple\tORG\napple\tMISC\n"),
        str.split,
        lowercase=True,
    )
    assert (
        gazetteer.ambiguous == [Key(True, ("apple",))]
        and gazetteer.labels[Key(True, ("apple",))] == "ORG"
    )


def test_entity_ruler_patterns(tmp_path: Path) -> None:
    patterns = [
        {"label": "ORG", "pattern": "Acme Corp", "id": "acme"},
        {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]},
        {"label": "PER", "pattern": [{"ORTH": "Jane"}, {"TEXT": "Doe"}]},
        {"label": "MISC", "term": "Olympics"},
    ]
    gaz = "".join(json.dumps(p) + "\n" for p in patterns)
    text = (
        "Jane Doe of Acme Corp flew to SAN FRANCISCO for the Olympics, not jane doe\n"
    )
    docs, _ = annotate(tmp_path, text, gaz, gaz_name="patterns.jsonl")
    assert ents(docs[0]) == [
        ("Jane Doe", "PER"),
        ("Acme Corp", "ORG"),
        ("SAN FRANCISCO", "GPE"),
        ("Olympics", "MISC"),
    ]


@pytest.mark.parametrize(
    "line,problem",
    [
        (
            '{"label": "X", "pattern": [{"POS": "NOUN"}]}',
            "only ORTH, TEXT and LOWER can be matched",
        ),
        (
            '{"label": "X", "pattern": [{"LOWER": {"IN": ["a", "b"]}}]}',
            "needs a non-empty string value",
        ),
        (
            '{"label": "X", "pattern": [{"LOWER": "a", "OP": "+"}]}',
            "one key (ORTH, TEXT or LOWER)",
        ),
        (
            '{"label": "X", "pattern": [{"LOWER": "new"}, {"ORTH": "York"}]}',
            "mixes LOWER with ORTH/TEXT",
        ),
        ('{"label": "X", "pattern": []}', "the pattern is an empty list"),
        ('{"label": "X", "term": "a", "pattern": "a"}', "not both"),
        ('{"pattern": "Acme"}', "missing field 'label'"),
        ('{"label": "ORG"}', "missing field 'term'"),
        ('{"label": "ORG", "term": 5}', "the term must be a string, got 5"),
        ('{"label": "ORG", "term": "  "}', "the term is empty"),
        ('{"label": "", "term": "Acme"}', "the label is empty"),
        ('{"label": "ORG", "term": "Acme"', "invalid JSON"),
        ('["Acme", "ORG"]', "must be a JSON object"),
    ],
)
def test_bad_jsonl_gazetteer_lines(tmp_path: Path, line: str, problem: str) -> None:
    path = write(
        tmp_path / "gaz.jsonl", '{"label": "ORG", "term": "Acme"}\n\n' + line + "\n"
    )
    with pytest.raises(DataError) as err:
        read_gazetteer(path, str.split)
    assert str(err.value).startswith(f"{path}, record 3: ") and problem in str(
        err.value
    )


@pytest.mark.parametrize(
    "name,content,problem",
    [
        (
            "gaz.tsv",
            "Acme\tORG\nParis\tLOC\tcity\n",
            "record 2: expected 2 columns (term, type), got 3",
        ),
        (
            "gaz.tsv",
            "Acme\tORG\nParis\n",
            "record 2: expected 2 columns (term, type), got 1",
        ),
        ("gaz.tsv", "Acme\tORG\n\tLOC\n", "record 2: the term is empty"),
        ("gaz.tsv", "Acme\tORG\nParis\t \n", "record 2: the type is empty"),
        ("gaz.csv", 'term,type\nAcme,ORG\n"Paris, France,LOC\n', "record 3: bad CSV"),
        ("gaz.csv", "term,type\n", "the gazetteer has no entries"),
        ("gaz.tsv", "", "file is empty"),
    ],
)
def test_bad_table_gazetteer_lines(
    tmp_path: Path, name: str, content: str, problem: str
) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(DataError) as err:
        read_gazetteer(path, str.split)
    assert str(err.value).startswith(str(path)) and problem in str(err.value)


def test_table_gazetteers_with_and_without_header(tmp_path: Path) -> None:
    expected = {
        Key(False, ("Paris", ",", "France")): "LOC",
        Key(False, ("Acme",)): "ORG",
    }
    tokenize = lambda text: [t.text for t in blank("en").make_doc(text)]  # noqa: E731
    for name, content in [
        ("a.csv", 'Term,Type\n"Paris, France",LOC\nAcme,ORG\n'),
        ("b.csv", '"Paris, France",LOC\nAcme,ORG\n'),
        ("c.tsv", "name\tlabel\nParis, France\tLOC\n\nAcme\tORG\n"),
        ("d.txt", "Paris, France\tLOC\nAcme\tORG\n"),
    ]:
        assert (
            read_gazetteer(write(tmp_path / name, content), tokenize).labels == expected
        ), name


def test_blank_text_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    docs, notes = annotate(
        tmp_path, "Acme rose\n\n   \nParis fell\n\n", "Acme\tORG\nParis\tLOC\n"
    )
    assert [get_doc_id(doc) for doc in docs] == [
        "texts:1",
        "texts:4",
    ]  # ids keep line numbers
    assert notes.blank_lines == 3
    with pytest.raises(DataError, match="only blank lines"):
        annotate(tmp_path, "\n \n", "Acme\tORG\n")


def test_jsonl_texts_ids_and_meta(tmp_path: Path) -> None:
    texts = '{"text": "Acme rose", "id": "news-7", "source": "wire"}\n{"text": "Paris fell", "id": 12}\n{"text": "Acme fell"}\n'
    docs, _ = annotate(
        tmp_path, texts, "Acme\tORG\nParis\tLOC\n", text_name="news.jsonl"
    )
    assert [get_doc_id(doc) for doc in docs] == ["news-7", "12", "news:3"]
    assert (
        docs[0].user_data[META_KEY] == {"source": "wire"}
        and META_KEY not in docs[1].user_data
    )
    assert [ents(doc) for doc in docs] == [
        [("Acme", "ORG")],
        [("Paris", "LOC")],
        [("Acme", "ORG")],
    ]


@pytest.mark.parametrize(
    "texts,problem",
    [
        (
            '{"text": "a", "id": "x"}\n{"text": "b", "id": "x"}\n',
            "record 2: sample id 'x' is also used on line 1",
        ),
        ('{"text": "a"}\n{"txt": "b"}\n', "record 2: missing field 'text'"),
        ('{"text": ""}\n', "record 1: the text is empty"),
        (
            '{"text": "a", "id": true}\n',
            "record 1: 'id' must be a non-empty string or an integer",
        ),
        ('{"text": "a"\n', "record 1: invalid JSON"),
    ],
)
def test_bad_jsonl_texts(tmp_path: Path, texts: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem):
        annotate(tmp_path, texts, "a\tX\n", text_name="t.jsonl")
    assert not (tmp_path / "out.spacy").exists()


def test_pretokenized_keeps_tokens(tmp_path: Path) -> None:
    gaz = "U.S. Open\tMISC\nSt. Louis\tLOC\n"
    docs, _ = annotate(
        tmp_path, "He won the U.S. Open in St. Louis ( 1999 )\n", gaz, pretokenized=True
    )
    assert [
        t.text for t in docs[0]
    ] == "He won the U.S. Open in St. Louis ( 1999 )".split()
    assert ents(docs[0]) == [("U.S. Open", "MISC"), ("St. Louis", "LOC")]


def test_worker_processes_give_the_same_docs(tmp_path: Path) -> None:
    texts = "".join(f"Acme hired Jane Doe in Paris, day {i}.\n" for i in range(40))
    gaz = "Acme\tORG\nJane Doe\tPER\nParis\tLOC\n"
    one, _ = annotate(tmp_path, texts, gaz, batch_size=7)
    two, _ = annotate(tmp_path, texts, gaz, n_process=2, batch_size=7)
    assert [(get_doc_id(d), ents(d)) for d in one] == [
        (get_doc_id(d), ents(d)) for d in two
    ]
    # a bad line while the workers run is raised, not a hang, and nothing is written
    (tmp_path / "out.spacy").unlink()
    bad = "".join(f'{{"text": "Acme {i}"}}\n' for i in range(30)) + '{"text": 5}\n'
    with pytest.raises(DataError, match="record 31"):
        annotate(tmp_path, bad, gaz, text_name="t.jsonl", n_process=2, batch_size=4)
    assert not (tmp_path / "out.spacy").exists()


def test_bad_options(tmp_path: Path) -> None:
    texts, gaz = write(tmp_path / "t.txt", "a\n"), write(tmp_path / "g.tsv", "a\tX\n")
    with pytest.raises(DynCleanError, match="must be a .spacy file"):
        annotate_file(texts, gaz, tmp_path / "out.json")
    with pytest.raises(DynCleanError, match="Unknown --format"):
        annotate_file(texts, gaz, tmp_path / "out.spacy", text_format="csv")
    with pytest.raises(DataError, match="pass --gazetteer-format"):
        annotate_file(
            texts, write(tmp_path / "g.dat", "a\tX\n"), tmp_path / "out.spacy"
        )
    with pytest.raises(DynCleanError, match="at least 1"):
        annotate_file(texts, gaz, tmp_path / "out.spacy", n_process=0)


def run(*args: object) -> Result:
    return CliRunner().invoke(app, ["annotate", *map(str, args)])


def test_cli_on_the_embedded_sample(tmp_path: Path) -> None:
    out = tmp_path / "corpus" / "dict.spacy"
    result = run(
        ROOT / "assets/dictionary/texts.txt",
        ROOT / "assets/dictionary/gazetteer.tsv",
        out,
    )
    assert result.exit_code == 0, result.output
    docs = load(out)
    assert len(docs) == len(set(map(get_doc_id, docs))) == 400
    labels = {ent.label_ for doc in docs for ent in doc.ents}
    assert labels == {"PER", "ORG", "LOC", "MISC"}
    for text in (
        "Wrote 400 docs",
        "ambiguous",
        "Dropped as overlapping",
        "'Marlow': PER x1, LOC x2 -> LOC",
    ):
        assert text in result.output


def test_cli_bad_gazetteer_fails_without_output(tmp_path: Path) -> None:
    texts, gaz = (
        write(tmp_path / "t.txt", "Acme rose\n"),
        write(tmp_path / "g.tsv", "Acme\tORG\nParis\n"),
    )
    result = run(texts, gaz, tmp_path / "out.spacy", "--lowercase")
    assert result.exit_code != 0 and isinstance(result.exception, DataError)
    assert "record 2: expected 2 columns" in str(result.exception)
    assert not (tmp_path / "out.spacy").exists()
