"""Token-level views of a Doc's entity annotation."""

from spacy.tokens import Doc


def biluo_tags(doc: Doc) -> list[str]:
    """BILUO tag per token; "-" where the label is missing (token.ent_iob == 0)."""
    tags = ["-" if token.ent_iob == 0 else "O" for token in doc]
    for ent in doc.ents:
        if len(ent) == 1:
            tags[ent.start] = f"U-{ent.label_}"
            continue
        tags[ent.start : ent.end] = [f"I-{ent.label_}"] * len(ent)
        tags[ent.start], tags[ent.end - 1] = f"B-{ent.label_}", f"L-{ent.label_}"
    return tags
