"""Pastes the README's own-config block into a `spacy init config -p ner` config, as a
user would, but keeps `ner` in the pipeline (a pipeline that then has to be stripped
before it ships): used by .ci/ship_check.sh."""

import re
import sys
from pathlib import Path

from spacy.util import load_config
from thinc.api import Config

README = Path(__file__).resolve().parents[1] / "README.md"
snippet = re.findall(
    r"^```ini\n(.*?)^```$", README.read_text(encoding="utf8"), flags=re.M | re.S
)[0]
config = load_config(sys.argv[1], interpolate=False).merge(
    Config().from_str("[components]\n" + snippet, interpolate=False)
)
config["nlp"]["pipeline"] = ["tok2vec", "ner", "dynclean"]
config.to_disk(sys.argv[1])
