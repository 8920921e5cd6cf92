"""The bad-input catalogue: per command, one bad input and what the message must name.

Each case writes its inputs into an empty folder and returns the command line (paths
relative to that folder, so the messages stay short). The inputs are the test suite's
own fixtures (the scored corpus of tests/report, the synthetic records of
tests/scoring), so the catalogue lives with them. `tests/test_bad_inputs.py` runs every
case in-process (each must fail cleanly); run as a module, the catalogue runs each case
in a fresh `python -m spacy_dynclean` process and writes what it printed:

    python -m tests.bad_inputs benchmarks/bad-inputs.md

The table lists, per command, the bad input, the exit code, the message (one line, as
printed; paths are relative to the case's folder) and whether the failure was clean
(non-zero exit, no traceback, the file and record named, no output left behind).
"""

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from spacy_dynclean.io.docbin import convert_file, iter_docbin_as_stored, write_docbin
from spacy_dynclean.io.ids import set_doc_id
from spacy_dynclean.report import write_report

from .cleaning.helpers import redone
from .conftest import ROOT
from .report import build_inputs
from .scoring.records_helpers import run_samples, write_records

RECORDS = [
    {
        "tokens": ["Alice", "lives", "in", "Paris"],
        "entities": [[0, 0, "PER"], [3, 3, "LOC"]],
    },
    {"tokens": ["Bob", "sings"], "entities": [[0, 0, "PER"]]},
]
JSON = json.dumps(RECORDS)


@dataclass
class Case:
    command: str
    problem: str
    make: Callable[
        [Path], list[str]
    ]  # writes the inputs into a folder, returns the arguments
    names: Sequence[str]  # what the message must contain: the file, the record or line
    outputs: Sequence[str] = ()  # what must not exist afterwards


def write(folder: Path, name: str, content: object) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        content if isinstance(content, bytes) else str(content).encode("utf-8")
    )
    return name


def convert_case(
    problem: str, name: str, content: object, names: Sequence[str], *options: str
) -> Case:
    return Case(
        "convert",
        problem,
        lambda f: ["convert", write(f, name, content), "out.spacy", *options],
        names,
        ["out.spacy"],
    )


def spacy_data(
    folder: Path, name: str = "train.spacy", records: Sequence[dict] = RECORDS
) -> str:
    write(folder, "src/train.json", json.dumps(list(records)))
    convert_file(folder / "src" / "train.json", folder / name)
    return name


def config_without_dynclean(folder: Path) -> list[str]:
    shutil.copy(ROOT / "spacy_dynclean" / "configs" / "ner_cnn.cfg", folder / "ner.cfg")
    return [
        "dynamics",
        "ner.cfg",
        "out",
        "--paths.train",
        spacy_data(folder),
        "--paths.dev",
        "train.spacy",
    ]


def dynamics(folder: Path, *train: str) -> list[str]:
    shutil.copy(
        ROOT / "spacy_dynclean" / "configs" / "dynamics_cnn.cfg",
        folder / "dynamics.cfg",
    )
    return [
        "dynamics",
        "dynamics.cfg",
        "out",
        *(["--paths.train", *train] if train else []),
    ]


def records(folder: Path, name: str = "run0", fold: int = 0, **meta: object) -> str:
    samples = run_samples(
        fold, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [0.1, 0.1, -4]}
    )
    write_records(folder / name, samples, fold=fold, **meta)
    return name


def truncated_npy(folder: Path) -> list[str]:
    run = records(folder)
    data = (folder / run / "margins.npy").read_bytes()
    write(folder, f"{run}/margins.npy", data[: len(data) - 20])
    return ["score", run, "scores"]


def scored(folder: Path) -> tuple[str, str, str]:
    """A scored and cleaned corpus (tests/report): data, scores folder, audit."""
    inputs = build_inputs(folder)
    return (inputs.data.name, inputs.scores.name, inputs.audit.name)


def other_version(folder: Path) -> str:
    """train.spacy again, one entity less: another version of the same file."""
    docs = list(iter_docbin_as_stored(folder / "train.spacy"))
    docs[1].set_ents(list(docs[1].ents)[:-1], default="outside")
    write_docbin(docs, folder / "train-v2.spacy")
    return "train-v2.spacy"


def clean_with(problem: str, data: Callable[[Path], str], names: Sequence[str]) -> Case:
    """`clean` on a scored corpus; `data` may spoil it and names the data to clean."""

    def make(folder: Path) -> list[str]:
        scored(folder)
        return ["clean", data(folder), "scores", "out.spacy"]

    return Case("clean", problem, make, names, ["out.spacy"])


def spoiled(
    name: str, spoil: Callable[[Path], object], result: str = "train.spacy"
) -> Callable[[Path], str]:
    """A `data` function for `clean_with`: apply `spoil` to folder/name, return `result`."""

    def data(folder: Path) -> str:
        spoil(folder / name)
        return result

    return data


def broken_records(folder: Path, spoil: Callable[[Path], object]) -> list[str]:
    run = records(folder)
    spoil(folder / run / "meta.json")
    return ["score", run, "scores"]


def report_with(
    change: Callable[[Path], tuple[str, str, str]],
) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        return ["report", *change(folder), "report"]

    return make


def edited_scores(folder: Path, edit: Callable[[Path], None]) -> tuple[str, str, str]:
    data, scores, audit = scored(folder)
    edit(folder / scores)
    return scores, audit, data


def docbin_with_label(folder: Path, label: str) -> str:
    """train.spacy, written by spaCy, whose one doc has an entity labelled `label`."""
    doc = Doc(Vocab(), words=["Alice", "sings"])
    doc.set_ents([Span(doc, 0, 1, label=label)], default="outside")
    write_docbin([doc], folder / "train.spacy")
    return "train.spacy"


GOLD_OUTPUTS = ["out.spacy", "out-audit.jsonl", "out-audit.detection.json"]


def clean_gold(
    problem: str, change: Callable[[list[Doc]], list[Doc]], names: Sequence[str]
) -> Case:
    """`clean --gold` on a scored corpus, the gold docs changed by `change`: nothing may be written."""

    def make(folder: Path) -> list[str]:
        scored(folder)
        write_docbin(
            change(list(iter_docbin_as_stored(folder / "gold.spacy"))),
            folder / "bad-gold.spacy",
        )
        return [
            "clean",
            "train.spacy",
            "scores",
            "out.spacy",
            "--audit",
            "out-audit.jsonl",
            "--gold",
            "bad-gold.spacy",
        ]

    return Case("clean", problem, make, names, GOLD_OUTPUTS)


def benchmark(folder: Path, train_ds: object, *options: str) -> list[str]:
    write(folder, "data/dev.json", JSON)
    write(folder, "data/test.json", JSON)
    if train_ds is not None:
        write(folder, "data/train-ds.json", train_ds)
    return ["benchmark", "data", "run", *options]


def under_a_file(folder: Path, name: str) -> str:
    """An output path whose parent is a file: nothing can be written there."""
    write(folder, "file.txt", "a file, not a folder")
    return f"file.txt/{name}"


def unwritable(command: str, make: Callable[[Path], list[str]], output: str) -> Case:
    """`make`'s command with its output (the argument `output`) under a file."""

    def args(folder: Path) -> list[str]:
        made = make(folder)
        at = len(made) - 1 - made[::-1].index(output)
        return made[:at] + [under_a_file(folder, output)] + made[at + 1 :]

    return Case(
        command,
        "output under a file",
        args,
        [f"file.txt/{output}", "cannot write the output", "part of the path is a file"],
    )


def renamed_labels(folder: Path, name: str) -> str:
    """The scored corpus's gold docs with PER/LOC called PERSON/LOCATION."""
    docs = list(iter_docbin_as_stored(folder / "gold.spacy"))
    out = []
    for doc in docs:
        ents = [
            Span(
                doc,
                e.start,
                e.end,
                label={"PER": "PERSON", "LOC": "LOCATION"}[e.label_],
            )
            for e in doc.ents
        ]
        doc.set_ents(ents, default="outside")
        out.append(doc)
    write_docbin(out, folder / name)
    return name


def suffixed_labels(docs: list[Doc]) -> list[Doc]:
    """The docs with an X after every entity type (PERX, LOCX)."""
    for doc in docs:
        ents = [Span(doc, e.start, e.end, label=f"{e.label_}X") for e in doc.ents]
        doc.set_ents(ents, default="outside")
    return docs


def report_args(folder: Path) -> list[str]:
    """`report` of the scored corpus into `report`."""
    data, scores, audit = scored(folder)
    return ["report", scores, audit, data, "report"]


def blank_pipeline(folder: Path) -> str:
    """A pipeline folder with nothing to strip."""
    import spacy

    spacy.blank("en").to_disk(folder / "model")
    return "model"


def labeller(folder: Path, *patterns: tuple[str, str]) -> str:
    """An EntityRuler pipeline folder (`labeller`) of (label, pattern) entries; without
    entries, a pipeline that sets no entities (a sentencizer)."""
    import spacy

    nlp = spacy.blank("en")
    if patterns:
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns(
            [{"label": label, "pattern": term} for label, term in patterns]
        )
    else:
        nlp.add_pipe("sentencizer")
    nlp.to_disk(folder / "labeller")
    return "labeller"


def annotate_pipeline(folder: Path, *options: str) -> list[str]:
    """`annotate TEXTS --pipeline labeller out.spacy` with a PERSON/GPE EntityRuler."""
    pipeline = labeller(folder, ("PERSON", "Anna"), ("GPE", "Paris"))
    texts = write(folder, "texts.txt", "Anna lives in Paris.\n")
    return ["annotate", texts, "--pipeline", pipeline, "out.spacy", *options]


def review_with_label(folder: Path, label: str) -> list[str]:
    """apply-review of a review.jsonl whose first span is relabelled `label`."""
    data, scores, audit = scored(folder)
    write_report(folder / scores, folder / audit, folder / data, folder / "report")
    lines = [json.loads(line) for line in (folder / "report" / "review.jsonl").open()]
    lines[0]["spans"][0]["label"] = label
    write(folder, "review.jsonl", "\n".join(json.dumps(line) for line in lines))
    return ["apply-review", data, "review.jsonl", "out.spacy"]


CASES: list[Case] = [
    # convert: DS-NER JSON
    convert_case(
        "truncated JSON",
        "train.json",
        JSON[:60],
        ["train.json", "invalid JSON at line 1"],
    ),
    convert_case(
        "top level not a list",
        "train.json",
        json.dumps(RECORDS[0]),
        ["train.json", "must be a JSON list"],
    ),
    convert_case("record not an object", "train.json", "[1]", ["train.json, record 1"]),
    convert_case(
        "missing field",
        "train.json",
        '[{"tokens": ["a"]}]',
        ["train.json, record 1", "'entities'"],
    ),
    convert_case(
        "tokens not a list",
        "train.json",
        '[{"tokens": "a b", "entities": []}]',
        ["train.json, record 1"],
    ),
    convert_case(
        "token not a string",
        "train.json",
        '[{"tokens": ["a", 7], "entities": []}]',
        ["train.json, record 1"],
    ),
    convert_case(
        "offsets not integers",
        "train.json",
        '[{"tokens": ["a"], "entities": [["0", "0", "PER"]]}]',
        ["train.json, record 1"],
    ),
    convert_case(
        "label not a string",
        "train.json",
        '[{"tokens": ["a"], "entities": [[0, 0, 5]]}]',
        ["train.json, record 1", "label"],
    ),
    convert_case(
        "span out of range",
        "train.json",
        JSON[:-1] + ', {"tokens": ["a"], "entities": [[0, 1, "PER"]]}]',
        ["train.json, record 3", "out of range"],
    ),
    convert_case(
        "span reversed",
        "train.json",
        '[{"tokens": ["a", "b"], "entities": [[1, 0, "PER"]]}]',
        ["train.json, record 1", "reversed"],
    ),
    convert_case(
        "spans overlap",
        "train.json",
        '[{"tokens": ["a", "b"], "entities": [[0, 1, "PER"], [1, 1, "LOC"]]}]',
        ["train.json, record 1", "overlap"],
    ),
    convert_case(
        "empty sentence",
        "train.json",
        JSON[:-1] + ', {"tokens": [], "entities": []}]',
        ["train.json, record 3", "empty sentence"],
    ),
    convert_case("empty file", "train.json", b"", ["train.json", "empty"]),
    convert_case("empty list", "train.json", "[]", ["train.json", "no records"]),
    convert_case(
        "non-UTF-8 bytes",
        "train.json",
        b'[{"tokens": ["caf\xe9"], "entities": []}]',
        ["train.json", "not UTF-8", "line 1"],
    ),
    convert_case(
        "JSON Lines named .json",
        "train.json",
        "\n".join(json.dumps(r) for r in RECORDS),
        ["train.json", "JSON Lines"],
    ),
    convert_case(
        "entity labelled O",
        "train.json",
        '[{"tokens": ["a"], "entities": [[0, 0, "O"]]}]',
        ["train.json, record 1", "label 'O' is not an entity type", "non-entities"],
    ),
    convert_case(
        "entity labelled -",
        "train.json",
        '[{"tokens": ["a"], "entities": [[0, 0, "-"]]}]',
        ["train.json, record 1", "label '-' is not an entity type", "missing label"],
    ),
    convert_case(
        "entity labelled with dynclean's fake type",
        "train.json",
        '[{"tokens": ["a"], "entities": [[0, 0, "DYNCLEAN_FAKE"]]}]',
        [
            "train.json, record 1",
            "label 'DYNCLEAN_FAKE' is not an entity type",
            "threshold samples",
        ],
    ),
    convert_case(
        "label starting with !",
        "train.json",
        '[{"tokens": ["a"], "entities": [[0, 0, "!PER"]]}]',
        ["train.json, record 1", "label '!PER'", "E869"],
    ),
    convert_case(
        "label with surrounding whitespace",
        "train.json",
        '[{"tokens": ["a"], "entities": [[0, 0, "PER "]]}]',
        ["train.json, record 1", "label 'PER '", "whitespace"],
    ),
    # convert: CoNLL
    convert_case(
        "I- after O (BIO)",
        "train.conll",
        "a O\nb I-PER\n",
        ["train.conll, record 1", "line 2"],
        "--scheme",
        "bio",
    ),
    convert_case(
        "invalid tag",
        "train.conll",
        "a O\nb X-PER\n",
        ["train.conll, record 1", "line 2"],
    ),
    convert_case(
        "one column", "train.conll", "a O\nb\n", ["train.conll, record 1", "line 2"]
    ),
    convert_case("only blank lines", "train.conll", "\n\n", ["train.conll", "empty"]),
    convert_case(
        "BILUO entity not closed",
        "train.conll",
        "a B-PER\nb O\n",
        ["train.conll, record 1", "line 2"],
        "--scheme",
        "biluo",
    ),
    convert_case(
        "non-UTF-8 bytes",
        "train.conll",
        b"a O\n\nb\xff O\n",
        ["train.conll", "not UTF-8", "line 3"],
    ),
    convert_case(
        "tag B-O (type O)",
        "train.conll",
        "a O\nb B-O\n",
        ["train.conll, record 1", "line 2", "label 'O' is not an entity type"],
    ),
    # convert: JSONL
    convert_case(
        "invalid JSON line",
        "train.jsonl",
        '{"text": "a", "spans": []}\n{"text": "b", \n',
        ["train.jsonl, record 2", "invalid JSON"],
    ),
    convert_case(
        "span off token boundaries",
        "train.jsonl",
        '{"text": "Anna sings", "spans": [[0, 2, "PER"]]}\n',
        ["train.jsonl, record 1", "token boundaries"],
    ),
    convert_case(
        "empty text",
        "train.jsonl",
        '{"text": " ", "spans": []}\n',
        ["train.jsonl, record 1", "empty text"],
    ),
    convert_case(
        "label not a string",
        "train.jsonl",
        '{"text": "Anna", "spans": [[0, 4, null]]}\n',
        ["train.jsonl, record 1", "label"],
    ),
    convert_case(
        "spans overlap",
        "train.jsonl",
        '{"text": "Anna Bell", "spans": [[0, 9, "PER"], [5, 9, "PER"]]}\n',
        ["train.jsonl, record 1", "overlap"],
    ),
    convert_case(
        "blank line",
        "train.jsonl",
        '{"text": "a", "spans": []}\n\n{"text": "b", "spans": []}\n',
        ["train.jsonl, record 2", "blank line"],
    ),
    convert_case(
        "text not a string",
        "train.jsonl",
        '{"text": 5, "spans": []}\n',
        ["train.jsonl, record 1"],
    ),
    convert_case(
        "span labelled O",
        "train.jsonl",
        '{"text": "Anna sings", "spans": [[0, 4, "O"]]}\n',
        ["train.jsonl, record 1", "label 'O' is not an entity type"],
    ),
    convert_case(
        "span labelled -",
        "train.jsonl",
        '{"text": "Anna sings", "label": [[0, 4, "-"]]}\n',
        ["train.jsonl, record 1", "label '-' is not an entity type"],
    ),
    # convert: DocBin, paths, options
    convert_case(
        "not a DocBin",
        "train.spacy",
        b"not a docbin",
        ["train.spacy", "not a spaCy DocBin"],
    ),
    convert_case("empty .spacy file", "train.spacy", b"", ["train.spacy", "empty"]),
    Case(
        "convert",
        "DocBin entity labelled O",
        lambda f: ["convert", docbin_with_label(f, "O"), "out.spacy"],
        ["train.spacy, record 1", "label 'O' is not an entity type"],
        ["out.spacy"],
    ),
    convert_case("unknown extension", "train.xml", "<x/>", ["train.xml", "--format"]),
    Case(
        "convert",
        "input missing",
        lambda f: ["convert", "nope.json", "out.spacy"],
        ["nope.json", "not found"],
        ["out.spacy"],
    ),
    Case(
        "convert",
        "output not .spacy or a folder",
        lambda f: ["convert", write(f, "train.json", JSON), "out.json"],
        ["out.json"],
        ["out.json"],
    ),
    Case(
        "convert",
        "output folder holds other files",
        lambda f: [
            "convert",
            write(f, "train.json", JSON),
            str(Path(write(f, "out/notes.txt", "mine")).parent),
        ],
        ["out", "notes.txt"],
        ["out/out-00000.spacy"],
    ),
    Case(
        "convert",
        "--shard-size with a .spacy output",
        lambda f: [
            "convert",
            write(f, "train.json", JSON),
            "out.spacy",
            "--shard-size",
            "5",
        ],
        ["--shard-size"],
        ["out.spacy"],
    ),
    Case(
        "convert",
        "folder without .spacy shards",
        lambda f: ["convert", str(Path(write(f, "in/a.txt", "x")).parent), "out.spacy"],
        ["in", "no .spacy files"],
        ["out.spacy"],
    ),
    # dynamics
    Case(
        "dynamics",
        "config without the dynclean component",
        config_without_dynclean,
        ["ner.cfg", "dynclean"],
        ["out"],
    ),
    Case(
        "dynamics",
        "paths.train not set",
        lambda f: dynamics(f),
        ["paths.train"],
        ["out"],
    ),
    Case(
        "dynamics",
        "training data missing",
        lambda f: dynamics(f, "nope.spacy"),
        ["nope.spacy"],
        ["out"],
    ),
    Case(
        "dynamics",
        "training data not a DocBin",
        lambda f: dynamics(f, write(f, "train.spacy", b"garbage")),
        ["train.spacy"],
        ["out"],
    ),
    Case(
        "dynamics",
        "training data is DS-NER JSON, not .spacy",
        lambda f: dynamics(f, write(f, "train.json", JSON)),
        ["train.json"],
        ["out"],
    ),
    Case(
        "dynamics",
        "config missing",
        lambda f: ["dynamics", "nope.cfg", "out"],
        ["nope.cfg"],
        ["out"],
    ),
    Case(
        "dynamics",
        "config not a config",
        lambda f: ["dynamics", write(f, "bad.cfg", "[nlp\nlang = "), "out"],
        ["bad.cfg"],
        ["out"],
    ),
    # entries
    Case(
        "entries",
        "dev data not a DocBin",
        lambda f: [
            "entries",
            scored(f)[0],
            write(f, "dev.spacy", b"not a docbin"),
            "scores",
        ],
        ["dev.spacy", "not a spaCy DocBin"],
        ["scores/entries.jsonl"],
    ),
    Case(
        "entries",
        "model evidence without a model",
        lambda f: [
            "entries",
            scored(f)[0],
            "train.spacy",
            "scores",
            "--evidence",
            "model",
        ],
        ["--model"],
        ["scores/entries.jsonl"],
    ),
    Case(
        "entries",
        "unknown evidence",
        lambda f: [
            "entries",
            scored(f)[0],
            "train.spacy",
            "scores",
            "--evidence",
            "vibes",
        ],
        ["--evidence", "vibes"],
        ["scores/entries.jsonl"],
    ),
    clean_with(
        "entry table with a line that is not an entry",
        lambda f: (
            write(f, "scores/entries.jsonl", '{"words": "The"}\n') and "train.spacy"
        ),
        ["entries.jsonl", "record 1"],
    ),
    # score
    Case(
        "score",
        "records folder missing",
        lambda f: ["score", "nope", "scores"],
        ["nope"],
        ["scores"],
    ),
    Case(
        "score",
        "records folder without meta.json",
        lambda f: broken_records(f, Path.unlink),
        ["run0", "meta.json"],
        ["scores"],
    ),
    Case(
        "score",
        "truncated margins.npy",
        truncated_npy,
        ["run0", "margins.npy"],
        ["scores"],
    ),
    Case(
        "score",
        "malformed meta.json",
        lambda f: broken_records(f, lambda p: p.write_text("{")),
        ["run0", "meta.json"],
        ["scores"],
    ),
    Case(
        "score",
        "runs with different label sets",
        lambda f: [
            "score",
            records(f),
            records(f, "run1", 1, entity_types=["PER", "ORG"]),
            "scores",
        ],
        ["run0", "run1", "entity_types"],
        ["scores"],
    ),
    Case(
        "score",
        "runs of different data (fingerprint)",
        lambda f: [
            "score",
            records(f),
            records(f, "run1", 1, fingerprint="v2-other"),
            "scores",
        ],
        ["run0", "run1", "fingerprint"],
        ["scores"],
    ),
    # clean
    clean_with(
        "scores of another dataset (fingerprint)",
        lambda f: spacy_data(f, "other.spacy"),
        ["other.spacy", "not the data", "scores"],
    ),
    clean_with(
        "scores of another version of the file (fingerprint)",
        other_version,
        ["train-v2.spacy", "not the data", "scores"],
    ),
    clean_with(
        "data not a DocBin",
        lambda f: write(f, "bad.spacy", b"garbage"),
        ["bad.spacy", "not a spaCy DocBin"],
    ),
    clean_with("data missing", lambda f: "nope.spacy", ["nope.spacy"]),
    clean_with(
        "scores folder without thresholds.json",
        spoiled("scores/thresholds.json", Path.unlink),
        ["scores", "thresholds.json"],
    ),
    clean_with(
        "truncated scores.jsonl",
        spoiled("scores/scores.jsonl", lambda p: p.write_text(p.read_text()[:-40])),
        ["scores.jsonl", "record"],
    ),
    clean_with(
        "malformed thresholds.json",
        spoiled("scores/thresholds.json", lambda p: p.write_text("{")),
        ["thresholds.json"],
    ),
    Case(
        "clean",
        "--shard-size with a .spacy output",
        lambda f: ["clean", scored(f)[0], "scores", "out.spacy", "--shard-size", "2"],
        ["--shard-size"],
        ["out.spacy"],
    ),
    clean_gold(
        "--gold with ids of its own (converted without --id-prefix)",
        lambda docs: [
            set_doc_id(doc, f"train-gs:{n}") for n, doc in enumerate(docs, start=1)
        ],
        ["bad-gold.spacy, record 1", "'train-gs:1'", "--id-prefix train"],
    ),
    clean_gold(
        "--gold with other words",
        lambda docs: [
            *docs[:1],
            redone(docs[1], "Bob met Carol in Milan".split()),
            *docs[2:],
        ],
        ["bad-gold.spacy, record 2", "'train:2'", "token 4", "'Milan'"],
    ),
    clean_gold(
        "--gold with another tokenisation",
        lambda docs: [
            *docs[:2],
            redone(docs[2], "Nothing happened here.".split()),
            *docs[3:],
        ],
        ["bad-gold.spacy, record 3", "'train:3'", "3 tokens, 4"],
    ),
    clean_gold(
        "--gold lacking a doc",
        lambda docs: docs[:-1],
        ["bad-gold.spacy", "3 of the 4", "'train:4'"],
    ),
    clean_gold(
        "--gold with a doc twice",
        lambda docs: [*docs, docs[0]],
        ["bad-gold.spacy, record 5", "'train:1'"],
    ),
    Case(
        "clean",
        "--gold missing",
        lambda f: [
            "clean",
            scored(f)[0],
            "scores",
            "out.spacy",
            "--audit",
            "out-audit.jsonl",
            "--gold",
            "nope.spacy",
        ],
        ["nope.spacy"],
        GOLD_OUTPUTS,
    ),
    Case(
        "clean",
        "unknown --cleaning.entity_action",
        lambda f: [
            "clean",
            scored(f)[0],
            "scores",
            "out.spacy",
            "--cleaning.entity_action",
            "drop",
        ],
        ["entity_action", "drop"],
        ["out.spacy"],
    ),
    Case(
        "clean",
        "unknown recipe",
        lambda f: [
            "clean",
            scored(f)[0],
            "scores",
            "out.spacy",
            "--recipe",
            "polished",
        ],
        ["polished", "shipped: cleaned"],
        ["out.spacy"],
    ),
    # report
    Case(
        "report",
        "data of another dataset (fingerprint)",
        report_with(
            lambda f: (scored(f)[1], "audit.jsonl", spacy_data(f, "other.spacy"))
        ),
        ["other.spacy", "not the data"],
        ["report"],
    ),
    Case(
        "report",
        "malformed audit",
        report_with(
            lambda f: (scored(f)[1], write(f, "audit.jsonl", "{\n"), "train.spacy")
        ),
        ["audit.jsonl", "record 1"],
        ["report"],
    ),
    Case(
        "report",
        "audit of another cleaning",
        report_with(
            lambda f: (
                scored(f)[1],
                write(
                    f,
                    "audit.jsonl",
                    json.dumps(
                        {
                            "doc_id": "train:9",
                            "tokens": ["x"],
                            "start": 0,
                            "end": 1,
                            "label": "PER",
                            "action": "removed_entity",
                            "kind": "entity",
                            "n_missing": 1,
                            "aum": -1.0,
                            "threshold": 0.0,
                        }
                    )
                    + "\n",
                ),
                "train.spacy",
            )
        ),
        ["audit.jsonl"],
        ["report"],
    ),
    Case(
        "report",
        "scores folder without scores.jsonl",
        report_with(
            lambda f: edited_scores(f, lambda s: (s / "scores.jsonl").unlink())
        ),
        ["scores", "scores.jsonl"],
        ["report"],
    ),
    # benchmark
    Case(
        "benchmark",
        "data folder without train-ds.json",
        lambda f: benchmark(f, None),
        ["train-ds.json"],
        ["run/metrics.json"],
    ),
    Case(
        "benchmark",
        "truncated train-ds.json",
        lambda f: benchmark(f, JSON[:50]),
        ["train-ds.json", "invalid JSON"],
        ["run/metrics.json"],
    ),
    Case(
        "benchmark",
        "unknown config family",
        lambda f: benchmark(f, JSON, "--config", "nope"),
        ["nope"],
        ["run/metrics.json"],
    ),
    Case(
        "benchmark",
        "setting of an unknown section",
        lambda f: benchmark(f, JSON, "--scores.p_neg", "80"),
        ["--scores.p_neg", "SECTION"],
        ["run/metrics.json"],
    ),
    # annotate, apply-review
    Case(
        "annotate",
        "non-UTF-8 texts",
        lambda f: [
            "annotate",
            write(f, "texts.txt", b"Anna sings\ncaf\xe9\n"),
            write(f, "gaz.tsv", "Anna\tPER\n"),
            "out.spacy",
        ],
        ["texts.txt", "not UTF-8", "line 2"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "gazetteer type O",
        lambda f: [
            "annotate",
            write(f, "texts.txt", "Anna sings\n"),
            write(f, "gaz.tsv", "Anna\tPER\nsings\tO\n"),
            "out.spacy",
        ],
        ["gaz.tsv, record 2", "label 'O' is not an entity type"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "gazetteer label of dynclean's fake type",
        lambda f: [
            "annotate",
            write(f, "texts.txt", "Anna sings\n"),
            write(f, "gaz.jsonl", '{"label": "DYNCLEAN_FAKE", "term": "Anna"}\n'),
            "out.spacy",
        ],
        ["gaz.jsonl, record 1", "label 'DYNCLEAN_FAKE'"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "gazetteer line without a type",
        lambda f: [
            "annotate",
            write(f, "texts.txt", "Anna sings\n"),
            write(f, "gaz.tsv", "Anna\tPER\nBob\n"),
            "out.spacy",
        ],
        ["gaz.tsv", "2"],
        ["out.spacy"],
    ),
    # issue 31: annotate --pipeline
    Case(
        "annotate",
        "--pipeline that sets no entities",
        lambda f: [
            "annotate",
            write(f, "texts.txt", "Anna sings\n"),
            "--pipeline",
            labeller(f),
            "out.spacy",
        ],
        ["labeller", "no component sets entities", "sentencizer"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "--pipeline that cannot be loaded",
        lambda f: [
            "annotate",
            write(f, "texts.txt", "Anna sings\n"),
            "--pipeline",
            write(f, "model/readme.txt", "not a pipeline") and "model",
            "out.spacy",
        ],
        ["model", "cannot be loaded as a spaCy pipeline"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "--labels names a label the pipeline lacks",
        lambda f: annotate_pipeline(f, "--labels", "PERSON,ORG"),
        ["--labels", "ORG is not a label of the pipeline labeller", "GPE, PERSON"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "--label-map renames a label the pipeline lacks",
        lambda f: annotate_pipeline(f, "--label-map", "PER=PERSON"),
        ["--label-map", "PER is not a label of the pipeline labeller"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "--label-map to the reserved type O",
        lambda f: annotate_pipeline(f, "--label-map", "GPE=O"),
        ["--label-map", "GPE=O", "label 'O' is not an entity type"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "both a GAZETTEER and --pipeline",
        lambda f: [
            *annotate_pipeline(f)[:-1],
            write(f, "gaz.tsv", "Anna\tPER\n"),
            "out.spacy",
        ],
        ["both a GAZETTEER (gaz.tsv)", "--pipeline labeller"],
        ["out.spacy"],
    ),
    Case(
        "annotate",
        "neither a GAZETTEER nor --pipeline",
        lambda f: ["annotate", write(f, "texts.txt", "Anna sings\n"), "out.spacy"],
        ["needs a GAZETTEER and an OUTPUT, or --pipeline NAME"],
        ["out.spacy"],
    ),
    Case(
        "self-train",
        "teacher is not a pipeline",
        lambda f: [
            "self-train",
            scored(f)[0],
            "out.spacy",
            "--teacher",
            write(f, "teacher.txt", "not a pipeline"),
        ],
        ["teacher.txt", "not a trained spaCy pipeline"],
        ["out.spacy"],
    ),
    Case(
        "self-train",
        "--min-agree above the number of teachers",
        lambda f: [
            "self-train",
            scored(f)[0],
            "out.spacy",
            "--teacher",
            write(f, "teacher.txt", "not read"),
            "--min-agree",
            "2",
        ],
        ["--min-agree", "between 1 and the number of teachers (1)"],
        ["out.spacy"],
    ),
    Case(
        "apply-review",
        "malformed review.jsonl",
        lambda f: [
            "apply-review",
            scored(f)[0],
            write(f, "review.jsonl", '{"meta": \n'),
            "out.spacy",
        ],
        ["review.jsonl", "record 1"],
        ["out.spacy"],
    ),
    # issue 27, item 1: a second label set with other names
    Case(
        "entries",
        "dev set with other label names (PERSON/LOCATION against PER/LOC)",
        lambda f: [
            "entries",
            scored(f)[0],
            renamed_labels(f, "dev.spacy"),
            "s",
        ],
        ["dev.spacy", "LOCATION, PERSON only in", "LOC, PER only in", "--label-map"],
        ["s/entries.jsonl"],
    ),
    clean_gold(
        "gold with other label names",
        suffixed_labels,
        ["bad-gold.spacy", "LOCX, PERX only in", "LOC, PER only in"],
    ),
    Case(
        "report",
        "gold with other label names",
        lambda f: [
            "report",
            scored(f)[1],
            "audit.jsonl",
            "train.spacy",
            "report",
            "--gold",
            renamed_labels(f, "g.spacy"),
        ],
        ["g.spacy", "PERSON only in", "train.spacy"],
        ["report"],
    ),
    Case(
        "apply-review",
        "review span with a type the data lacks",
        lambda f: review_with_label(f, "PERSON"),
        ["review.jsonl", "PERSON only in", "the data's types only"],
        ["out.spacy"],
    ),
    # issue 27, item 2: an output that cannot be written
    unwritable(
        "convert",
        lambda f: ["convert", write(f, "t.json", JSON), "out.spacy"],
        "out.spacy",
    ),
    unwritable("clean", lambda f: ["clean", *scored(f)[:2], "out.spacy"], "out.spacy"),
    unwritable("score", lambda f: ["score", records(f), "scores"], "scores"),
    unwritable("report", report_args, "report"),
    unwritable("strip", lambda f: ["strip", blank_pipeline(f), "out"], "out"),
    unwritable(
        "dynamics",
        lambda f: dynamics(f, spacy_data(f), "--training.max_epochs", "1"),
        "out",
    ),
    # issue 27, item 7
    Case(
        "score",
        "two runs of the same fold",
        lambda f: ["score", records(f, "run0"), records(f, "run1"), "scores"],
        ["run0 and run1", "same threshold fold 0", "--components.dynclean.fold 1"],
        ["scores"],
    ),
    # issue 27, item 9
    convert_case(
        "raw text in a .txt",
        "texts.txt",
        "Anna lives in Paris.\nBob sings.\n",
        ["texts.txt", "record 1", "dynclean annotate"],
    ),
    convert_case(
        "overlapping entities",
        "train.json",
        json.dumps(
            [{"tokens": ["Anna", "Lee"], "entities": [[0, 1, "PER"], [1, 1, "LOC"]]}]
        ),
        ["train.json, record 1", "overlap", "keep one of the two"],
    ),
]


def run_in_process(args: Sequence[str], cwd: Path) -> tuple[int, str]:
    """Run `dynclean ARGS` through the CLI's `main` in this process: exit code and output
    (a traceback, if anything escapes, is part of the output)."""
    from spacy_dynclean.cli import main

    out = io.StringIO()
    previous, argv = Path.cwd(), sys.argv
    os.chdir(cwd)
    sys.argv = ["dynclean", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported as the traceback it would print
        out.write(traceback.format_exc())
        code = 1
    finally:
        os.chdir(previous)
        sys.argv = argv
    return code, out.getvalue()


def run_subprocess(args: Sequence[str], cwd: Path) -> tuple[int, str]:
    """Run `python -m spacy_dynclean ARGS` in a fresh process: exit code and output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "spacy_dynclean", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )
    return result.returncode, result.stdout + result.stderr


def message(output: str) -> str:
    """The error message as one line: from the ✘ (or `Error`) on, colours and wrapping removed."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    start = plain.find("\u2718")
    start = plain.find("Error") if start < 0 else start
    return " ".join(plain[max(start, 0) :].lstrip("\u2718 ").split())


def problems(case: Case, folder: Path, code: int, output: str) -> list[str]:
    """What is wrong with how the command failed (empty: it failed cleanly)."""
    found = []
    if code == 0:
        found.append("exit code 0")
    if "Traceback" in output:
        found.append("traceback")
    text = message(output)
    found += [f"message lacks {name!r}" for name in case.names if name not in text]
    found += [
        f"{path} was written" for path in case.outputs if (folder / path).exists()
    ]
    found += [f"{p.relative_to(folder)} left behind" for p in folder.rglob("*.tmp")]
    return found


def write_table(output: Path) -> int:
    """Run every case in a fresh process and write the table to `output`; the number of
    cases that did not fail cleanly."""
    rows, failed = [], 0
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            code, out = run_subprocess(case.make(folder), folder)
            found = problems(case, folder, code, out)
        failed += bool(found)
        verdict = "clean" if not found else "; ".join(found)
        text = message(out).replace("|", "\\|")
        rows.append(
            f"| {case.command} | {case.problem} | {code} | {text} | {verdict} |"
        )
        print(f"{case.command}: {case.problem}: {verdict}", flush=True)
    header = [
        "# Bad inputs and their messages",
        "",
        f"Generated by `python -m tests.bad_inputs {output}`: each of the {len(CASES)} cases of",
        "`tests/bad_inputs.py` run as `python -m spacy_dynclean ...` in a fresh process, in a folder of",
        "its own (so paths are relative). `tests/test_bad_inputs.py` asserts the same cases in-process.",
        f"{len(CASES) - failed} of {len(CASES)} fail cleanly (non-zero exit, no traceback, the file and",
        "record or line named, no output file left behind).",
        "",
        "| command | bad input | exit | message | verdict |",
        "|---|---|---:|---|---|",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"{len(CASES) - failed}/{len(CASES)} clean; written to {output}")
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output", type=Path)
    sys.exit(1 if write_table(parser.parse_args().output) else 0)


if __name__ == "__main__":
    main()
