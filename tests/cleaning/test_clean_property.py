from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import clean_with, ents_of, flag, make_doc


@st.composite
def docs_and_flags(draw):
    """Random docs (random entity segments, some missing tokens) with random flags:
    some entities flagged, some non-entity spans (which may overlap entities) flagged."""
    docs, rows = [], []
    for d in range(draw(st.integers(1, 4))):
        doc_id = f"doc:{d}"
        segments = draw(
            st.lists(
                st.tuples(st.integers(1, 3), st.sampled_from([None, "PER", "LOC"])),
                min_size=1,
                max_size=6,
            )
        )
        ents, missing, start = [], [], 0
        for length, label in segments:
            if label:
                ents.append((start, start + length, label))
            elif draw(st.booleans()) and length == 1:
                missing.append((start, start + 1))
            start += length
        docs.append(
            make_doc([f"w{i}" for i in range(start)], ents, doc_id, missing=missing)
        )
        for s, e, label in ents:
            if draw(st.booleans()):
                rows.append(flag(doc_id, s, e, "entity", label))
        for _ in range(draw(st.integers(0, 3))):
            s = draw(st.integers(0, start - 1))
            rows.append(
                flag(doc_id, s, draw(st.integers(s + 1, start)), "non_entity", "O")
            )
    return docs, rows


@settings(max_examples=150, deadline=None)
@given(
    docs_and_flags(),
    st.sampled_from(["missing", "outside"]),
    st.sampled_from(["missing", "keep"]),
)
def test_cleaning_properties(data, entity_action, neighbour_action):
    docs, rows = data
    before = {
        d.user_data["dynclean_id"]: (ents_of(d), [t.ent_iob for t in d]) for d in docs
    }
    out = list(
        clean_with(
            docs,
            rows,
            entity_action=entity_action,
            neighbours=neighbour_action == "missing",
        )
    )
    assert len(out) == len(docs)
    for (doc, audit), row_doc in zip(out, docs):
        doc_id = doc.user_data["dynclean_id"]
        assert doc is row_doc
        old_ents, old_iob = before[doc_id]
        kept = ents_of(doc)
        assert set(kept) <= set(old_ents)
        in_kept = {i for s, e, _ in kept for i in range(s, e)}
        flags = [r for r in rows if r["doc_id"] == doc_id]
        by_neighbour = [d for d in audit if d.source == "neighbour"]
        assert len(audit) == len(flags) + len(by_neighbour)
        flagged_neg = [
            (r["start"], r["end"]) for r in flags if r["kind"] == "non_entity"
        ]
        if neighbour_action == "keep":
            assert not by_neighbour
        else:  # no kept entity touches a flagged non-entity
            assert not any(
                ks <= fe and fs <= ke for ks, ke, _ in kept for fs, fe in flagged_neg
            )
        for d in by_neighbour:
            assert all(doc[i].ent_iob == 0 for i in range(d.start, d.end))
        for r in flags:
            tokens = range(r["start"], r["end"])
            if r["kind"] == "entity":
                assert (r["start"], r["end"], r["label"]) not in kept
            for i in tokens:
                if r["kind"] == "non_entity" and i not in in_kept:
                    assert doc[i].ent_iob == 0  # flagged non-entity: missing, never O
                if r["kind"] == "entity" and entity_action == "missing":
                    assert doc[i].ent_iob == 0
        flagged_tokens = {i for r in flags for i in range(r["start"], r["end"])}
        flagged_tokens |= {i for d in by_neighbour for i in range(d.start, d.end)}
        for i, token in enumerate(doc):
            if i not in flagged_tokens:
                assert (
                    token.ent_iob == old_iob[i]
                )  # untouched tokens keep their annotation
