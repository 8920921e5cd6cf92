"""Stable sample ids: every training doc carries one in `doc.user_data`."""

import hashlib

from spacy.tokens import Doc

DOC_ID_KEY = "dynclean_id"


def set_doc_id(doc: Doc, doc_id: str) -> Doc:
    doc.user_data[DOC_ID_KEY] = str(doc_id)
    return doc


def get_doc_id(doc: Doc) -> str | None:
    """The doc's sample id, or None if it has none."""
    value = doc.user_data.get(DOC_ID_KEY)
    return None if value is None else str(value)


def sample_key(doc: Doc) -> str:
    """The id every stage keys a doc by: its sample id, else a hash of its words."""
    return get_doc_id(doc) or text_doc_id(doc)


def text_doc_id(doc: Doc) -> str:
    """Fallback id for docs that were not converted by dynclean: a hash of the words."""
    digest = hashlib.sha1("\u241f".join(t.text for t in doc).encode("utf8")).hexdigest()
    return f"text:{digest[:16]}"
