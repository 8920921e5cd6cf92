"""`dynclean report`: figures, HTML pages and review file of a hand-made cleaning."""

import re

import pytest
import srsly
from typer.testing import CliRunner

import spacy_dynclean.cli.report  # noqa: F401  (registers the commands)
from spacy_dynclean.cleaning.detection import (
    detection_from_errors,
    detection_metrics,
    item_errors,
)
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError, MismatchError
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.report import plots, write_report
from spacy_dynclean.scoring.scores import read_scores

from . import SCRIPT, build_inputs

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def inputs(tmp_path):
    return build_inputs(tmp_path)


def test_report_writes_figures_pages_and_review(inputs, tmp_path):
    out = tmp_path / "report"
    seen = []
    result = write_report(
        inputs.scores,
        inputs.audit,
        inputs.data,
        out,
        gold_path=inputs.gold,
        progress=seen.append,
    )
    assert seen and all(isinstance(line, str) for line in seen)
    names = {p.file for p in result.plots}
    assert names == {
        "aum.png",
        "aum_gold.png",
        "aum_by_type.png",
        "aum_by_type_gold.png",
        "data_map.png",
    }
    assert all((out / name).read_bytes().startswith(PNG) for name in names)
    assert (
        result.pages == [out / "index.html"]
        and result.n_flagged_docs == 3
        and result.n_decisions == 5
    )
    page = (out / "index.html").read_text(encoding="utf8")
    for name in names:
        assert f'src="{name}"' in page
    for doc_id in ("train:1", "train:2", "train:4"):
        assert f'id="{doc_id}"' in page
    assert 'id="train:3"' not in page
    assert "LOC removed" in page and "missing" in page and "AUM -1.50 &lt; 0.50" in page
    assert (
        "a note for the reader" in page
        and "Detection of the AUM flags against gold" in page
        and "gold ✓ was an error" in page
    )
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not REMOTE.search(page) and "url(" not in page
    # sorted by the lowest AUM: train:1 (-1.5), train:2 (-0.5), train:4 (2.5)
    assert (
        page.index('id="train:1"')
        < page.index('id="train:2"')
        < page.index('id="train:4"')
    )
    assert len(list(srsly.read_jsonl(out / "review.jsonl"))) == 3


def test_report_without_gold_has_no_gold_parts(inputs, tmp_path):
    result = write_report(inputs.scores, inputs.audit, inputs.data, tmp_path / "report")
    assert {p.file for p in result.plots} == {
        "aum.png",
        "aum_by_type.png",
        "data_map.png",
    }
    page = result.index.read_text(encoding="utf8")
    for marker in (
        "Detection of the AUM flags against gold",
        'class="gold"',
        "was an error",
        "was right",
    ):
        assert marker not in page
    assert "AUM -1.50 &lt; 0.50" in page


def test_pages_are_capped_and_paginated(inputs, tmp_path):
    out = tmp_path / "report"
    (out).mkdir()
    (out / "page-9.html").write_text("stale")
    result = write_report(
        inputs.scores, inputs.audit, inputs.data, out, max_items=2, page_size=1
    )
    assert [p.name for p in result.pages] == ["index.html", "page-2.html"]
    assert not (out / "page-9.html").exists()
    first, second = (p.read_text(encoding="utf8") for p in result.pages)
    assert 'href="page-2.html"' in first and 'href="index.html"' in second
    assert (
        'id="train:1"' in first
        and 'id="train:2"' in second
        and "train:4" not in first + second
    )
    assert "1 more flagged sentences not shown" in second
    assert (
        len(list(srsly.read_jsonl(out / "review.jsonl"))) == 3
    )  # the review file holds them all


def test_gold_errors_agree_with_detection_metrics(inputs):
    table = read_scores(inputs.scores).table
    errors = item_errors(table, iter_docbin_as_stored(inputs.gold))
    assert detection_from_errors(table, errors) == detection_metrics(
        table, iter_docbin_as_stored(inputs.gold)
    )


def test_data_map_subsamples_and_says_so(inputs, monkeypatch):
    monkeypatch.setattr(plots, "SCATTER_CAP", 3)
    figure = plots.data_map(read_scores(inputs.scores).table, seed=7)
    titles = [ax.get_title() for ax in figure.axes]
    assert "3 of 8 kept (random, seed 7)" in titles[1] and "all 3 flagged" in titles[1]


def test_run_cuts_per_type():
    thresholds = {
        "runs": [
            {
                "fold": 0,
                "t_pos": 0.5,
                "per_type": {"pos": {"PER": {"threshold": -0.25}}},
            },
            {"fold": 1, "t_pos": 0.4, "per_type": None},
        ]
    }
    assert [value for _, value in plots.run_cuts(thresholds, "pos", "PER")] == [
        -0.25,
        0.4,
    ]
    assert [value for _, value in plots.run_cuts(thresholds, "pos", "LOC")] == [
        0.5,
        0.4,
    ]


def test_report_refuses_an_audit_of_other_scores(inputs, tmp_path):
    lines = list(srsly.read_jsonl(inputs.audit))[1:]
    srsly.write_jsonl(tmp_path / "short.jsonl", lines)
    with pytest.raises(MismatchError, match="do not belong together"):
        write_report(
            inputs.scores, tmp_path / "short.jsonl", inputs.data, tmp_path / "report"
        )
    assert not (tmp_path / "report" / "index.html").exists()


@pytest.mark.parametrize(
    "mutate, problem",
    [
        (lambda line: "{not json", "invalid JSON"),
        (
            lambda line: srsly.json_dumps({**srsly.json_loads(line), "start": "3"}),
            "'start' must be a int",
        ),
        (
            lambda line: srsly.json_dumps(
                {**srsly.json_loads(line), "tokens": ["Lyon"]}
            ),
            "not ['Lyon']",
        ),
        (
            lambda line: srsly.json_dumps(
                {**srsly.json_loads(line), "doc_id": "train:99"}
            ),
            "not in",
        ),
    ],
)
def test_report_refuses_bad_audit_lines(inputs, tmp_path, mutate, problem):
    lines = inputs.audit.read_text(encoding="utf8").splitlines()
    lines[0] = mutate(lines[0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf8")
    with pytest.raises((DataError, MismatchError)) as err:
        write_report(inputs.scores, bad, inputs.data, tmp_path / "report")
    assert problem in str(err.value)
    if isinstance(err.value, DataError):
        assert err.value.record == 1 and str(bad) in str(err.value)


def test_report_cli_is_quiet_off_a_tty(inputs, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "report",
            str(inputs.scores),
            str(inputs.audit),
            str(inputs.data),
            str(out),
            "--gold",
            str(inputs.gold),
            "--max-items",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "Reading the scores" not in result.output
        and "3 flagged docs (5 decisions)" in result.output
    )
    assert (out / "index.html").exists() and (out / "review.jsonl").exists()
    result = runner.invoke(
        app,
        [
            "report",
            str(inputs.scores),
            str(inputs.scores / "thresholds.json"),
            str(inputs.data),
            str(out),
        ],
    )
    assert isinstance(result.exception, DataError)


def test_report_shows_entry_decisions_and_the_entry_table(inputs, tmp_path):
    from spacy_dynclean.cleaning.clean import clean_docbin
    from spacy_dynclean.cleaning.entries import Entry, write_entries
    from spacy_dynclean.cleaning.recipes import load_recipe

    # "Alice"/PER is judged wrong as an entry; no training-dynamics flag is on it
    alice = Entry(("Alice",), "PER", n=1, p_wrong=0.95, action="outside")
    alice.dev.update({"O": 3})
    table = write_entries({alice.key: alice}, inputs.scores)
    audit = tmp_path / "audit-entries.jsonl"
    clean_docbin(
        inputs.data,
        inputs.scores,
        tmp_path / "c.spacy",
        load_recipe("cleaned"),
        audit_path=audit,
        entries_path=table,
    )
    sources = [line["source"] for line in srsly.read_jsonl(audit)]
    assert sorted(set(sources)) == ["aum", "entry", "neighbour"]
    result = write_report(inputs.scores, audit, inputs.data, tmp_path / "report")
    page = result.index.read_text(encoding="utf8")
    assert "Dictionary entries (1 of 1 flagged" in page and "O 3" in page
    assert "its dictionary entry, judged on dev" in page
    assert "touches a flagged non-entity" in page
    assert result.n_decisions == 5 + sources.count("entry") + sources.count("neighbour")
    assert not any("no entry table" in note for note in result.notes)


def test_report_takes_the_capitalised_decisions_of_the_cleaning(tmp_path):
    from spacy_dynclean.cleaning.clean import clean_docbin
    from spacy_dynclean.cleaning.recipes import load_recipe

    from ..cleaning.helpers import flag, make_doc, write_docbin, write_scores_dir

    # "York" of "New York": nothing is flagged, the text says the name runs on
    doc = make_doc("I flew to New York today".split(), [(4, 5, "LOC")], "train:1")
    rows = [flag("train:1", 4, 5, "entity", "LOC", flagged=False)] + [
        flag("train:1", i, i + 1, "non_entity", "O", flagged=False)
        for i in (0, 1, 2, 3, 5)
    ]
    data = write_docbin([doc], tmp_path / "train.spacy")
    scores = write_scores_dir(tmp_path / "scores", rows, docs=[doc])
    audit = tmp_path / "audit.jsonl"
    clean_docbin(
        data, scores, tmp_path / "c.spacy", load_recipe("cleaned"), audit_path=audit
    )
    sources = [line["source"] for line in srsly.read_jsonl(audit)]
    assert sources == ["capitalised", "neighbour"]
    result = write_report(scores, audit, data, tmp_path / "report")
    assert result.n_decisions == 2
    page = result.index.read_text(encoding="utf8")
    assert "a name cut short" in page


def test_report_says_what_it_cannot_see_without_an_entry_table(inputs, tmp_path):
    result = write_report(inputs.scores, inputs.audit, inputs.data, tmp_path / "report")
    assert any("no entry table" in note for note in result.notes)
    assert "no entry table" in result.index.read_text(encoding="utf8")


def test_report_says_when_the_entry_table_was_not_applied(inputs, tmp_path):
    from spacy_dynclean.cleaning.entries import Entry, write_entries

    alice = Entry(("Alice",), "PER", n=1, p_wrong=0.95, action="outside")
    table = write_entries({alice.key: alice}, tmp_path / "elsewhere")
    result = runner.invoke(
        app,
        [
            "report",
            str(inputs.scores),
            str(inputs.audit),  # cleaned without any entry table
            str(inputs.data),
            str(tmp_path / "report"),
            "--entries",
            str(table),
        ],
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf8")
    assert "the data was cleaned without it" in page
    assert "Dictionary entries (1 of 1 flagged" in page


def test_report_shows_the_additions_of_self_training(inputs, tmp_path):
    import spacy

    from spacy_dynclean.cleaning.self_training import self_train_docbin
    from spacy_dynclean.report import apply_review

    teacher = spacy.blank("en")
    teacher.add_pipe("entity_ruler").add_patterns(
        [{"label": "PER", "pattern": [{"ORTH": SCRIPT}]}]
    )
    teacher.to_disk(tmp_path / "teacher")
    teacher_audit = tmp_path / "audit-teacher.jsonl"
    self_train_docbin(
        inputs.cleaned, [tmp_path / "teacher"], tmp_path / "st.spacy", teacher_audit
    )
    result = write_report(
        inputs.scores,
        inputs.audit,
        inputs.data,
        tmp_path / "report",
        teacher_audit_path=teacher_audit,
    )
    assert result.n_decisions == 6
    assert "the self-training teachers agree on it" in result.index.read_text(
        encoding="utf8"
    )
    final = tmp_path / "final.spacy"
    apply_review(inputs.data, result.review, final)
    last = list(iter_docbin_as_stored(final))[3]
    assert [(e.start, e.end, e.label_) for e in last.ents] == [
        (0, 1, "PER"),
        (2, 3, "PER"),
    ]
    with pytest.raises(MismatchError, match="not a teacher's"):
        write_report(
            inputs.scores,
            inputs.audit,
            inputs.data,
            tmp_path / "report2",
            teacher_audit_path=inputs.audit,
        )


def test_the_first_screen_shows_the_recipe_chosen_on_dev(inputs, tmp_path):
    """Issue 29: the report opens with what `dynclean select` chose, and why."""
    from spacy_dynclean.training.selection import (
        Candidate,
        Selection,
        SelectionSettings,
        write_selection,
    )

    selection = Selection(
        "raw",
        "no recipe's gain is sure on dev: the best, cleaned, is +1.2",
        [
            Candidate("raw", 50, 40, 44.4, 0, 0, 0, 10),
            Candidate("cleaned", 52, 42, 45.6, 1.2, -0.8, 3.1, 12),
        ],
        SelectionSettings(),
        40,
        [20, 20],
        22.0,
    )
    path = write_selection(selection, tmp_path / "selection")
    result = write_report(
        inputs.scores, inputs.audit, inputs.data, tmp_path / "r", selection_path=path
    )
    page = result.index.read_text(encoding="utf8")
    first = page.index("Recipe chosen on the dev set")
    assert first < page.index("What removed what")
    assert "the best, cleaned, is +1.2" in page and "+1.2 [-0.8, +3.1]" in page
    assert "→ raw" in page
