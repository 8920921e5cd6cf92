"""project.yml is a valid spaCy project whose commands use only shipped configs and assets."""

from pathlib import Path

from weasel.util.config import load_project_config

from tests.conftest import ROOT


def test_project_yml_is_valid():
    config = load_project_config(Path(ROOT))
    assert {"all", "bench", "from-dictionary"} <= set(config["workflows"])
    commands = {c["name"]: c for c in config["commands"]}
    for workflow in config["workflows"].values():
        assert all(step in commands for step in workflow)
    for command in commands.values():
        for dep in command.get("deps", []):
            if dep.startswith(("spacy_dynclean/configs/", "assets/")):
                assert (ROOT / dep).exists(), f"{command['name']} needs {dep}"


def test_project_lock_is_not_tracked():
    """Issue 27, item 9: `spacy project run all` rewrites project.lock, so it must be
    an ignored file, not a tracked one."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "project.lock"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.stdout.strip() == ""
    assert "project.lock" in (ROOT / ".gitignore").read_text().splitlines()
