"""From a normal (wheel) install, not the checkout: the shipped configs are package data,
the benchmark finds them, and spaCy finds the `dynclean` factory through the entry points.

Builds a wheel from a copy of the sources (so no build/ or egg-info lands in the checkout),
installs it with `pip install --target`, and imports that copy in a fresh process whose
working directory is an empty folder."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

# what `dynclean benchmark --config cnn|trf|trf_finetune --head token|span` trains with
SHIPPED = {
    f"{name}.cfg"
    for name in (
        "dynamics_cnn",
        "dynamics_span_cnn",
        "ner_cnn",
        "dynamics_trf",
        "dynamics_span_trf",
        "ner_trf",
        "dynamics_trf_finetune",
        "dynamics_span_trf_finetune",
        "ner_trf_finetune",
    )
}
CHECK = r"""
import json, sys
# the venv may hold an editable install of the checkout: its import hook must not serve any module
sys.meta_path[:] = [finder for finder in sys.meta_path if "__editable__" not in getattr(finder, "__module__", "")]
import spacy

# the factory first, before anything of spacy_dynclean is imported: only the entry point finds it
assert "spacy_dynclean.dynamics.component" not in sys.modules
spacy.blank("en")  # a Language reads the spacy_factories entry points
factory = spacy.registry.factories.get("dynclean")
from importlib.metadata import entry_points
dists = [str(ep.dist._path) for ep in entry_points(group="spacy_factories") if ep.name == "dynclean"]

import spacy_dynclean
from spacy_dynclean.configs import CONFIG_DIR
from spacy_dynclean.benchmark import BenchmarkSettings

paths = {}
for config in ("cnn", "trf", "trf_finetune"):
    for head in ("token", "span"):
        settings = BenchmarkSettings(config=config, head=head)
        paths[f"dynamics-{config}-{head}"] = str(settings.config_path("dynamics"))
        paths[f"ner-{config}"] = str(settings.config_path("ner"))
frozen = spacy.registry.architectures.get("spacy-dynclean.FrozenTransformer.v1")
paths["frozen-encoder-module"] = sys.modules[frozen.__module__].__file__
dynamics = spacy.util.load_config(paths["dynamics-cnn-token"], interpolate=True)
nlp = spacy.util.load_model_from_config(dynamics, auto_fill=True, validate=True)
print(json.dumps({
    "package": spacy_dynclean.__file__, "factory": sys.modules[factory.__module__].__file__,
    "factory_dists": dists, "config_dir": str(CONFIG_DIR), "paths": paths, "pipe_names": nlp.pipe_names,
}))
"""


def _within(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def test_wheel_install_ships_the_configs(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(
        ROOT / "spacy_dynclean",
        source / "spacy_dynclean",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "--no-input",
        "-q",
    ]
    subprocess.run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("spacy_dynclean-*.whl")
    shipped = {
        Path(name).name
        for name in zipfile.ZipFile(wheel).namelist()
        if name.startswith("spacy_dynclean/configs/")
    }
    expected = SHIPPED | {
        path.name for path in (ROOT / "spacy_dynclean" / "configs").glob("*.cfg")
    }
    assert expected <= shipped, f"the wheel lacks {sorted(expected - shipped)}"
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=work, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert _within(found["package"], site), (
        f"imported {found['package']}, not the installed copy"
    )
    assert _within(found["factory"], site) and any(
        _within(dist, site) for dist in found["factory_dists"]
    )
    assert _within(found["config_dir"], site)
    for name, path in found["paths"].items():
        assert _within(path, site) and Path(path).is_file(), (name, path)
    assert "dynclean" in found["pipe_names"]
