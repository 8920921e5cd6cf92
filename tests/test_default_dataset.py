"""The embedded default dataset: reproducible, well-formed and really noisy."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_default_dataset.py"
ASSETS = ROOT / "assets" / "default"
FILES = ("train-ds.json", "train-gs.json", "dev.json", "test.json", "README.md")
JSON_FILES = FILES[:4]
LABELS = {"PER", "ORG", "LOC", "MISC"}


def load_script() -> ModuleType:
    """Import the generator script as a module (its data module sits next to it)."""
    if str(SCRIPT.parent) not in sys.path:
        sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("make_default_dataset", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_script()


@pytest.fixture(scope="module")
def regenerated(
    generator: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("default")
    generator.generate(out, seed=0)
    return out


def load(name: str) -> list[dict]:
    with open(ASSETS / name, encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("name", FILES)
def test_committed_files_are_reproducible(regenerated: Path, name: str) -> None:
    assert (ASSETS / name).read_bytes() == (regenerated / name).read_bytes(), (
        f"assets/default/{name} differs from the generator's output; "
        "rerun python3 scripts/make_default_dataset.py"
    )


@pytest.mark.parametrize("name", JSON_FILES)
def test_format_is_valid(name: str) -> None:
    sentences = load(name)
    assert isinstance(sentences, list) and sentences
    for sent in sentences:
        assert set(sent) == {"tokens", "entities"}
        tokens = sent["tokens"]
        assert 8 <= len(tokens) <= 30
        assert all(
            isinstance(t, str) and t and not any(c.isspace() for c in t) for t in tokens
        )
        previous_end = -1
        for start, end, label in sorted(sent["entities"]):
            assert isinstance(start, int) and isinstance(end, int)
            assert 0 <= start <= end < len(tokens), (sent, start, end)
            assert label in LABELS
            assert start > previous_end, f"overlapping entities in {sent}"
            previous_end = end


def test_sizes() -> None:
    sizes = {name: len(load(name)) for name in JSON_FILES}
    assert sizes == {
        "train-ds.json": 1500,
        "train-gs.json": 1500,
        "dev.json": 300,
        "test.json": 300,
    }
    assert sum((ASSETS / name).stat().st_size for name in FILES) < 1_500_000


def test_train_ds_and_gs_share_sentences() -> None:
    ds, gs = load("train-ds.json"), load("train-gs.json")
    assert len(ds) == len(gs)
    for d, g in zip(ds, gs):
        assert d["tokens"] == g["tokens"]


def test_distant_labels_are_noisy_but_informative(generator: ModuleType) -> None:
    ds, gs = load("train-ds.json"), load("train-gs.json")
    as_sents = lambda data: [  # noqa: E731
        generator.Sentence(s["tokens"], [tuple(e) for e in s["entities"]]) for s in data
    ]
    stats = generator.noise_stats(as_sents(ds), as_sents(gs))
    assert 0.4 <= stats["precision"] <= 0.85
    assert 0.4 <= stats["recall"] <= 0.85
    for kind in (
        "fp_wrong_type",
        "fp_wrong_boundary",
        "fp_not_entity",
        "fn_partial_overlap",
        "fn_no_overlap",
    ):
        assert stats.get(kind, 0) > 0, kind


def test_gold_entities_are_not_trivial() -> None:
    gold = [e for s in load("train-gs.json") for e in s["entities"]]
    multi = sum(end > start for start, end, _ in gold)
    assert 0.3 <= multi / len(gold) <= 0.8
    assert {label for *_, label in gold} == LABELS


def test_test_split_has_unseen_names() -> None:
    def strings(name: str) -> set[tuple[str, ...]]:
        return {
            tuple(s["tokens"][a : b + 1])
            for s in load(name)
            for a, b, _ in s["entities"]
        }

    unseen = strings("test.json") - strings("train-gs.json")
    assert len(unseen) >= 0.2 * len(strings("test.json"))


def test_distant_labelling_is_longest_match(generator: ModuleType) -> None:
    dictionary = {
        ("Northfield",): "LOC",
        ("Northfield", "Bank"): "ORG",
        ("Will",): "PER",
    }
    tokens = "Will Northfield Bank open in Northfield ?".split()
    assert generator.distant_labeller(dictionary)(tokens) == [
        (0, 0, "PER"),
        (1, 2, "ORG"),
        (5, 5, "LOC"),
    ]


def test_distant_labelling_keeps_the_longest_of_overlapping_matches(
    generator: ModuleType,
) -> None:
    """`dynclean annotate`'s rule, not a greedy left-to-right scan: a longer match that
    starts later wins; of equally long ones the earliest start."""
    dictionary = {
        ("Port", "Avery"): "LOC",
        ("Avery", "Kestrel", "Group"): "ORG",
        ("Lake", "Tamsel"): "LOC",
        ("Tamsel", "Cup"): "MISC",
    }
    tokens = "Port Avery Kestrel Group won at Lake Tamsel Cup".split()
    assert generator.distant_labeller(dictionary)(tokens) == [
        (1, 3, "ORG"),
        (6, 7, "LOC"),
    ]


def test_train_ds_is_what_annotate_gives(generator: ModuleType, tmp_path: Path) -> None:
    """train-ds.json = `dynclean annotate --pretokenized` of the train sentences with the
    dictionary as a TSV gazetteer."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    from spacy_dynclean.io.annotate import annotate_file

    dictionary = generator.build_dictionary(0, generator.build_catalogue(0))
    ds = load("train-ds.json")
    (tmp_path / "texts.txt").write_text(
        "".join(" ".join(s["tokens"]) + "\n" for s in ds), encoding="utf-8"
    )
    (tmp_path / "gaz.tsv").write_text(
        "".join(f"{' '.join(words)}\t{label}\n" for words, label in dictionary.items()),
        encoding="utf-8",
    )
    annotate_file(
        tmp_path / "texts.txt",
        tmp_path / "gaz.tsv",
        tmp_path / "ds.spacy",
        pretokenized=True,
        progress=False,
    )
    docs = DocBin().from_disk(tmp_path / "ds.spacy").get_docs(Vocab())
    assert [[[e.start, e.end - 1, e.label_] for e in doc.ents] for doc in docs] == [
        s["entities"] for s in ds
    ]
