"""The `dynclean` command line as a whole: --version, the help of every command (flags
without a value, the agreed argument names, shared options spelled and explained the
same everywhere), and `apply-review` on shard folders."""

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import srsly
import tomllib
import typer.main
from typer.testing import CliRunner

import spacy_dynclean
import spacy_dynclean.cli  # noqa: F401  (registers every command)
from spacy_dynclean.cli._util import app
from spacy_dynclean.io.docbin import iter_docbin_as_stored, write_docbin
from spacy_dynclean.report import REVIEW_FILE, write_report

from .conftest import ROOT
from .report import build_inputs

runner = CliRunner()
GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)

# The argument names of `--help`, in order: one vocabulary for every command.
ARGUMENTS: dict[str, list[str]] = {
    "annotate": ["TEXTS", "GAZETTEER", "OUTPUT"],
    "benchmark": ["DATASET_DIR", "OUTPUT_DIR"],
    "clean": ["DATA", "SCORES_DIR", "OUTPUT"],
    "convert": ["INPUT", "OUTPUT"],
    "dynamics": ["CONFIG", "OUTPUT_DIR"],
    "report": ["SCORES_DIR", "AUDIT", "DATA", "OUTPUT_DIR"],
    "apply-review": ["DATA", "REVIEW", "OUTPUT"],
    "score": ["RECORDS_DIR", "OUTPUT_DIR"],
    "self-train": ["DATA", "OUTPUT"],
    "train": ["CONFIG", "OUTPUT_DIR"],
    "compare": ["METRICS"],
}
# Options whose meaning differs per command, so their help may too (their short flags may not).
PER_COMMAND_HELP = {
    "--help",
    "--recipe",
    "--teacher",
    "--seed",
    "--gold",
    "--format",
    "--lang",
}


def help_of(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"spacy-dynclean {spacy_dynclean.__version__}\n"
    assert "--version" in help_of()


def test_version_of_python_m():
    result = subprocess.run(
        [sys.executable, "-m", "spacy_dynclean", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert (result.returncode, result.stdout) == (
        0,
        f"spacy-dynclean {spacy_dynclean.__version__}\n",
    ), result.stderr


def test_the_version_has_one_source():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))
    assert (
        "version" not in project["project"]
        and "version" in project["project"]["dynamic"]
    )
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "spacy_dynclean.__version__"
    }


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_flags_are_shown_without_a_value(command):
    output = help_of(*([command] if command else []))
    assert "<bool>" not in output
    params = GROUP.commands[command].params if command else GROUP.params
    flags = [opt for p in params if getattr(p, "is_flag", False) for opt in p.opts] + [
        "--help"
    ]
    for flag in (
        flags
    ):  # the flag, then two spaces (its help) or the end of the line, never a value
        assert re.search(rf"(^|[ ,]){re.escape(flag)}( {{2}}|$)", output, re.M), (
            flag,
            output,
        )


def usage_arguments(output: str) -> list[str]:
    """The argument names of the usage line, after [OPTIONS] ({DATA}, [DATA], DATA...)."""
    usage = output.split("\n\n")[0]
    return [
        word.removesuffix("...").strip("{}[]")
        for word in usage.split("[OPTIONS]", 1)[1].split()
    ]


@pytest.mark.parametrize("command", ARGUMENTS)
def test_arguments_have_the_agreed_names(command):
    output = help_of(command)
    assert usage_arguments(output) == ARGUMENTS[command], output
    section = output.split("Arguments:", 1)[1].split("Options:", 1)[0]
    assert re.findall(r"^  (\S+)", section, re.M) == ARGUMENTS[command], output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_argument_name_is_uppercase(command):
    for param in GROUP.commands[command].params:
        if param.param_type_name == "argument":
            assert param.metavar and re.fullmatch(r"[A-Z][A-Z_]*", param.metavar), (
                command,
                param.name,
                param.metavar,
            )


def test_shared_options_are_spelled_and_explained_alike():
    seen = defaultdict(dict)
    for command in COMMANDS:
        for param in GROUP.commands[command].params:
            if param.param_type_name == "option":
                long = max(param.opts, key=len)
                seen[long][command] = (tuple(sorted(param.opts)), param.help)
    for long, by_command in seen.items():
        assert len({opts for opts, _ in by_command.values()}) == 1, (long, by_command)
        if long not in PER_COMMAND_HELP:
            assert len({text for _, text in by_command.values()}) == 1, (
                long,
                by_command,
            )
    assert {
        command
        for command, (opts, _) in seen["--gpu-id"].items()
        if opts == ("--gpu-id", "-g")
    } == {"annotate", "benchmark", "dynamics", "select", "self-train", "train"}


# ---------------------------------------------------------------- apply-review on shards


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """Inputs, a review.jsonl with some decisions rejected, and the data as 3 shards."""
    tmp_path = tmp_path_factory.mktemp("cli-review")
    inputs = build_inputs(tmp_path)
    write_report(inputs.scores, inputs.audit, inputs.data, tmp_path / "report")
    lines = list(srsly.read_jsonl(tmp_path / "report" / REVIEW_FILE))
    lines[0]["meta"]["decisions"][0]["accept"] = False
    lines[2]["answer"] = "reject"
    review = tmp_path / "reviewed.jsonl"
    srsly.write_jsonl(review, lines)
    shards = tmp_path / "shards"
    write_docbin(iter_docbin_as_stored(inputs.data), shards, shard_size=2)
    assert len(list(shards.glob("*.spacy"))) == 2
    return inputs, review, shards


def state(path: Path):
    """(id, entities, missing tokens) of every doc of a .spacy file or folder."""
    return [
        (
            doc.user_data["dynclean_id"],
            [(e.start, e.end, e.label_) for e in doc.ents],
            [t.i for t in doc if t.ent_iob == 0],
        )
        for doc in iter_docbin_as_stored(path)
    ]


def apply(*args: object):
    return runner.invoke(app, ["apply-review", *map(str, args)])


def test_apply_review_takes_a_shard_folder(reviewed, tmp_path):
    inputs, review, shards = reviewed
    from_file, from_shards = (
        tmp_path / "from-file.spacy",
        tmp_path / "from-shards.spacy",
    )
    assert apply(inputs.data, review, from_file).exit_code == 0
    result = apply(shards, review, from_shards)
    assert result.exit_code == 0, result.output
    assert "Wrote 4 docs (3 reviewed)" in " ".join(result.output.split())
    assert state(from_shards) == state(from_file) != state(inputs.data)


def test_apply_review_writes_a_shard_folder(reviewed, tmp_path):
    inputs, review, shards = reviewed
    assert apply(inputs.data, review, tmp_path / "final.spacy").exit_code == 0
    result = apply(shards, review, tmp_path / "final", "--shard-size", 3)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "final").iterdir()) == [
        "final-00000.spacy",
        "final-00001.spacy",
    ]
    assert state(tmp_path / "final") == state(tmp_path / "final.spacy")


def test_apply_review_to_shards_writes_nothing_on_failure(reviewed, tmp_path):
    inputs, review, shards = reviewed
    lines = list(srsly.read_jsonl(review))
    lines[-1]["meta"]["doc_id"] = "train:99"  # found out after the last doc was written
    bad = tmp_path / "bad.jsonl"
    srsly.write_jsonl(bad, lines)
    result = apply(shards, bad, tmp_path / "final", "--shard-size", 1)
    assert result.exit_code != 0 and "train:99" in str(result.exception)
    assert list(tmp_path.iterdir()) == [bad]


def test_help_lists_the_commands_in_workflow_order_with_whole_descriptions():
    """Issue 27, item 9: not alphabetical, not cut short with '...'."""
    from spacy_dynclean.cli._util import WORKFLOW

    result = CliRunner().invoke(app, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    listed = re.findall(r"^  ([a-z][a-z-]*)  ", result.output, flags=re.M)
    expected = [name for name in WORKFLOW if name in listed]
    assert listed[: len(expected)] == expected and listed[0] == "annotate"
    assert "..." not in result.output.partition("Commands:")[2]
    assert "made missing, never O; flagged dictionary entries do what" in " ".join(
        result.output.split()
    )


def test_an_output_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    """Issue 27, item 2: PermissionError (any command's atomic output) and a parent
    that is a file give one line naming the output and what to do."""
    import tempfile

    from spacy_dynclean.errors import OutputError
    from spacy_dynclean.util import atomic_write

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(dir))

    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", denied)
        with pytest.raises(OutputError, match="no permission to write there") as err:
            atomic_write(tmp_path / "out" / "x.spacy", b"")
    assert str(err.value).startswith(f"{tmp_path / 'out' / 'x.spacy'}: cannot write")
    (tmp_path / "file").write_text("")
    inputs = build_inputs(tmp_path)
    args = ["clean", str(inputs.data), str(inputs.scores), str(tmp_path / "file/o")]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, OutputError)
    assert "part of the path is a file" in str(result.exception)
