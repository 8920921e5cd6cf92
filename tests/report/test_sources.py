"""Issue 27, item 4: `clean`, the report's first screen and its notes say what
removed what, by source, and with gold the detection per source and in total."""

import srsly
from typer.testing import CliRunner

from spacy_dynclean.cleaning.audit import count_by_source, read_audit, source_summary
from spacy_dynclean.cli import app
from spacy_dynclean.report import write_report
from spacy_dynclean.scoring.scores import RANDOM_DRAW

from . import build_inputs


def test_clean_prints_what_removed_what_and_detection_by_source(tmp_path):
    inputs = build_inputs(tmp_path)
    args = [
        "clean",
        str(inputs.data),
        str(inputs.scores),
        str(tmp_path / "out.spacy"),
        "--gold",
        str(inputs.gold),
    ]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "What removed what" in text
    assert "AUM below the cut (dynamics) 2 " in text
    assert "neighbour rule 1 " in text
    assert "against the gold labels" in text and "total" in text


def test_the_report_opens_with_what_removed_what_and_puts_aum_warnings_in_context(
    tmp_path,
):
    inputs = build_inputs(tmp_path)
    thresholds = srsly.read_json(inputs.scores / "thresholds.json")
    thresholds["notes"] = [f"run0: its entities ... are {RANDOM_DRAW}: ..."]
    srsly.write_json(inputs.scores / "thresholds.json", thresholds)
    result = write_report(
        inputs.scores, inputs.audit, inputs.data, tmp_path / "r", inputs.gold
    )
    by_source = count_by_source(
        d for lines in read_audit(inputs.audit).values() for _, d in lines
    )
    (context,) = [n for n in result.notes if n.startswith("The warnings on AUM")]
    assert "here they removed 2 of the 2 entities removed" in context
    page = (tmp_path / "r" / "index.html").read_text()
    top = page.index("What removed what:")
    assert top < page.index("Figures</h2>")
    assert source_summary(by_source).split(" (")[0] in page
    assert "against gold (by source)" in page and "<td>total</td>" in page
