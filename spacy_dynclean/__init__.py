"""spacy-dynclean: clean distantly supervised NER data with training dynamics."""

__version__ = (
    "0.1.0"  # the one place: pyproject.toml reads it, `dynclean --version` prints it
)
