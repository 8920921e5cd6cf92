"""The benchmark's variants and the dev split, without training anything."""

import pytest

from spacy_dynclean.benchmark import BenchmarkSettings, run_benchmark, split_dev
from spacy_dynclean.cleaning.entries import EntryOptions
from spacy_dynclean.cleaning.self_training import TeacherOptions
from spacy_dynclean.errors import DataError
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.ids import sample_key
from tests.cleaning.helpers import make_doc, write_docbin


def test_split_dev_alternates_the_docs(tmp_path):
    docs = [make_doc(["w"], [], f"dev:{n}") for n in range(1, 6)]
    paths = split_dev(write_docbin(docs, tmp_path / "dev.spacy"), tmp_path)
    ids = {
        k: [sample_key(d) for d in iter_docbin_as_stored(p)] for k, p in paths.items()
    }
    assert ids == {
        "dev-evidence": ["dev:1", "dev:3", "dev:5"],
        "dev-select": ["dev:2", "dev:4"],
    }


def test_the_variants_include_the_simulated_reviews():
    settings = BenchmarkSettings(review_budgets=[25, 50])
    assert settings.all_variants == [
        "raw",
        "dynclean",
        "cleaned",
        "oracle",
        "gold",
        "reviewed-25",
        "reviewed-50",
        "selected",
    ]


def test_self_training_comes_after_the_model_it_learns_from():
    settings = BenchmarkSettings(variants=["self_trained", "raw", "cleaned"])
    assert settings.all_variants == ["raw", "cleaned", "self_trained"]


def test_the_selected_model_comes_last_and_shares_the_variants_recipes():
    settings = BenchmarkSettings(
        variants=["selected", "raw", "self_trained", "cleaned"],
        cleaning_overrides={
            "cleaning.entity_action": "outside",
            "rules.aum_flags.repair": True,  # a rule `raw` lacks: not applied there
        },
    )
    assert settings.all_variants == ["raw", "cleaned", "self_trained", "selected"]
    assert settings.recipe_variants == ["cleaned"]
    assert settings.recipe("cleaned").entity_action == "outside"
    assert settings.recipe("cleaned").uses_entries
    assert settings.recipe("cleaned").rules["aum_flags"].repair is not None
    assert not settings.recipe("raw").cleans
    assert settings.recipe("cleaned_split").name == "cleaned"


@pytest.mark.parametrize(
    "settings, problem",
    [
        (BenchmarkSettings(variants=["raw", "polished"]), "unknown variant"),
        (BenchmarkSettings(variants=["raw"], review_budgets=[25]), "'cleaned' variant"),
        (BenchmarkSettings(review_budgets=[0], variants=["cleaned"]), "1 or more"),
        (BenchmarkSettings(review_budgets=[5], variants=["cleaned"]), "train-gs, and"),
        (
            BenchmarkSettings(cleaning_overrides={"cleaning.entity_action": "drop"}),
            "entity_action",
        ),
        (BenchmarkSettings(variants=["raw", "self_trained"]), "'cleaned' variant's"),
        (
            BenchmarkSettings(
                variants=["cleaned", "self_trained"],
                teacher_options=TeacherOptions(min_agree=2),
            ),
            "--min-agree",
        ),
        (
            BenchmarkSettings(variants=["cleaned", "self_trained"], teachers=["rnn"]),
            "ner_rnn",
        ),
    ],
)
def test_bad_settings_are_refused_before_anything_runs(settings, problem, tmp_path):
    with pytest.raises(DataError, match=problem):
        run_benchmark(tmp_path / "nowhere", tmp_path / "out", settings)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "options, problem",
    [
        ({"evidence": "guess"}, "--evidence"),
        ({"confidence": 1.0}, "--confidence"),
        ({"confidence": 0}, "--confidence"),
    ],
)
def test_bad_entry_options_are_refused_when_made(options, problem):
    with pytest.raises(DataError, match=problem):
        EntryOptions(**options)


def test_a_benchmark_folder_takes_every_format_convert_reads(tmp_path):
    """Issue 27, item 8: a user's splits are .spacy, CoNLL or JSONL, not only DS-NER JSON."""
    from spacy_dynclean.benchmark import convert

    data = tmp_path / "data"
    data.mkdir()
    (data / "train-ds.json").write_text(
        '[{"tokens": ["Alice", "sings"], "entities": [[0, 0, "PER"]]}]', encoding="utf8"
    )
    write_docbin(
        [make_doc(["Bob", "runs"], [(0, 1, "PER")], "d:1")], data / "dev.spacy"
    )
    (data / "test.conll").write_text("Carol\tB-PER\nlaughs\tO\n", encoding="utf8")
    splits = convert(data, tmp_path / "corpus")
    assert set(splits) == {"train-ds", "dev", "test"}
    texts = {
        k: [d.text.strip() for d in iter_docbin_as_stored(p)] for k, p in splits.items()
    }
    assert texts == {
        "train-ds": ["Alice sings"],
        "dev": ["Bob runs"],
        "test": ["Carol laughs"],
    }
    (data / "test.jsonl").write_text("", encoding="utf8")
    with pytest.raises(DataError, match="2 files for the split 'test'"):
        convert(data, tmp_path / "corpus2")
