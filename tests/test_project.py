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
