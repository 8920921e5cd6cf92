"""Hypothesis strategies the io tests share."""

from typing import Any

from hypothesis import strategies as st

TOKEN = st.text(min_size=1, max_size=6)
LABEL = st.sampled_from(["PER", "ORG", "LOC", "MISC", "B-X", "über"])


@st.composite
def dsner_records(draw: Any) -> dict:
    """A DS-NER record with random tokens and non-overlapping entities."""
    tokens = draw(st.lists(TOKEN, min_size=1, max_size=8))
    cuts = sorted(draw(st.sets(st.integers(0, len(tokens)), max_size=6)))
    entities = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        if end > start and draw(st.booleans()):
            entities.append([start, end - 1, draw(LABEL)])
    return {"tokens": tokens, "entities": entities}
