"""Every case of the bad-input catalogue (tests/bad_inputs.py) fails cleanly: non-zero
exit, no traceback, a message naming the file (and record or line), no output left.
Run in-process through the CLI's `main` to stay fast; `python -m tests.bad_inputs` runs
the same cases in fresh processes and writes benchmarks/bad-inputs.md."""

from pathlib import Path

import pytest

from .bad_inputs import CASES, Case, problems, run_in_process


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.command}: {c.problem}" for c in CASES]
)
def test_bad_input_fails_cleanly(case: Case, tmp_path: Path) -> None:
    args = case.make(tmp_path)
    code, output = run_in_process(args, tmp_path)
    assert problems(case, tmp_path, code, output) == [], output
