"""Distant labelling of raw text with any spaCy pipeline: its `doc.ents` as the labels.

The pipeline (an installed name, a saved folder, or a `.cfg` assembled like spacy-llm's
`assemble`: a trained ner, an entity_ruler, spacy-llm's `llm`, gliner-spacy's
`gliner_spacy`) runs over the texts with `nlp.pipe`. Each doc keeps the pipeline's
tokens and whitespace and its entities (every other token O), nothing else (no tags,
vectors or user data of the labeller), and gets the gazetteer form's id and JSONL
fields (`annotate.read_texts`). `labels` keeps a subset of the pipeline's entity
types, `label_map` renames them (OLD → NEW); both must name types the pipeline has.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..config import load_pipeline
from ..errors import DataError
from ..util import PathLike
from .annotate import (
    AnnotateNotes,
    check_batching,
    check_texts,
    pipe_docs,
    read_texts,
    write_annotated,
)
from .docbin import DocStats, output_shard_size
from .labels import check_label, entity_components

NO_ENTITIES = (
    "use a pipeline with an ner, entity_ruler, gliner_spacy or spacy-llm `llm` (NER "
    "task) component, or label with a dictionary: `dynclean annotate TEXTS GAZETTEER OUTPUT`"
)
NOT_LOADED = (
    "give an installed pipeline's name (`python -m spacy download NAME`), a folder "
    "`spacy.load` reads (e.g. training/raw/model-best) or a .cfg file; a config's "
    "components need their packages (spacy-llm, gliner-spacy) installed"
)


@dataclass(frozen=True)
class LabelChoice:
    """The pipeline's types to keep (None: all) and their new names."""

    keep: frozenset[str] | None = None
    rename: Mapping[str, str] = field(default_factory=dict)

    def label(self, label: str) -> str | None:
        """The type an entity of `label` gets, or None if it is dropped."""
        if self.keep is not None and label not in self.keep:
            return None
        return self.rename.get(label, label)


def _split(labels: Sequence[str]) -> list[str]:
    """--labels values, each one label or several comma-separated."""
    return [part.strip() for item in labels for part in item.split(",") if part.strip()]


def choose_labels(
    pipeline: str,
    known: set[str] | None,
    labels: Sequence[str] = (),
    label_map: Mapping[str, str] | None = None,
) -> LabelChoice:
    """Check --labels and --label-map against the pipeline's types `known` (None: the
    pipeline does not say, so any name is taken) and the new names against
    `labels.check_label`."""
    keep, label_map = _split(labels), dict(label_map or {})
    for option, names in (("--labels", keep), ("--label-map", list(label_map))):
        unknown = [name for name in names if known is not None and name not in known]
        if unknown:
            raise DataError(
                option,
                f"{', '.join(unknown)} is not a label of the pipeline {pipeline} "
                f"(its labels: {', '.join(sorted(known or ())) or 'none'})",
                hint="name the pipeline's own labels, as it predicts them",
            )
    dropped = [old for old in label_map if keep and old not in keep]
    if dropped:
        raise DataError(
            "--label-map",
            f"{', '.join(dropped)} is renamed but not kept by --labels",
            hint="add it to --labels or drop the rename",
        )
    for old, new in label_map.items():
        check_label("--label-map", None, new, f"{old}={new}")
    for old in keep or sorted(known or ()):
        if old not in label_map:
            check_label(
                pipeline, None, old, f"its type {old!r}", item="type (--labels)"
            )
    return LabelChoice(frozenset(keep) if keep else None, label_map)


def load_labeller(pipeline: str) -> tuple[Language, set[str] | None]:
    """The pipeline and its entity types (None if one of its entity components does
    not say); a pipeline that sets no entities, or has no types, is refused."""
    nlp = load_pipeline(pipeline, hint=NOT_LOADED)
    components = entity_components(nlp)
    if not components:
        raise DataError(
            pipeline,
            f"no component sets entities (its components: {', '.join(nlp.pipe_names) or 'none'})",
            hint=NO_ENTITIES,
        )
    if any(labels is None for labels in components.values()):
        return nlp, None
    known = {label for labels in components.values() for label in labels or ()}
    if not known:
        raise DataError(
            pipeline,
            f"its entity components ({', '.join(components)}) have no labels",
            hint="add patterns to the entity_ruler or train the ner first",
        )
    return nlp, known


def relabel(doc: Doc, choice: LabelChoice, notes: AnnotateNotes) -> Doc:
    """A fresh Doc of `doc`'s tokens and whitespace whose entities are the kept ones,
    renamed (every other token O); counted in `notes`."""
    new = Doc(
        doc.vocab,
        words=[token.text for token in doc],
        spaces=[bool(token.whitespace_) for token in doc],
    )
    ents = []
    for ent in doc.ents:
        label = choice.label(ent.label_)
        if label is not None:
            ents.append(Span(new, ent.start, ent.end, label=label))
    new.set_ents(ents, default="outside")
    notes.matches += len(doc.ents)
    notes.entities_dropped += len(doc.ents) - len(ents)
    notes.docs_without_entities += not ents
    return new


def annotate_with_pipeline(
    texts_path: PathLike,
    pipeline: str,
    output_path: PathLike,
    *,
    labels: Sequence[str] = (),
    label_map: Mapping[str, str] | None = None,
    text_format: str | None = None,
    n_process: int = 1,
    batch_size: int = 1000,
    shard_size: int | None = None,
    progress: bool | None = None,
) -> tuple[DocStats, AnnotateNotes, set[str] | None]:
    """Label the texts with the pipeline's entities and write a .spacy DocBin or a
    folder of shards (streamed; atomically, nothing on error). Returns the counts, the
    notes and the pipeline's entity types."""
    output_shard_size(Path(output_path), shard_size)
    check_batching(n_process, batch_size)
    check_texts(texts_path, text_format)
    nlp, known = load_labeller(pipeline)
    choice, notes = choose_labels(pipeline, known, labels, label_map), AnnotateNotes()
    records = read_texts(texts_path, text_format, notes)
    pairs = pipe_docs(records, nlp, False, n_process, batch_size)
    stats = write_annotated(
        pairs,
        lambda doc: relabel(doc, choice, notes),
        output_path,
        shard_size,
        progress,
    )
    return stats, notes, known
