"""Self-training: teachers propose the entities that removal cannot restore.

Removal only takes wrong supervision away; the entities the dictionary missed stay
unlabelled. Teacher pipelines (trained on the cleaned data) predict every training
doc; a proposal is one predicted entity (span and type), and its confidence is how
many teachers predict exactly it (spaCy's transition-based `ner` has no entity
probabilities; an ensemble's agreement stands in). A proposal that at least
`min_agree` teachers make is added as an entity when:

- none of its tokens is inside an entity of the cleaned doc and it touches none
  (kept entities stay: a proposal next to one would move its edge);
- its tokens are missing after cleaning, or, with `fill_outside`, also O
  (replacing an O is a stronger claim than filling a token nobody labelled).

Proposals that overlap are taken in order of agreement, then length; the rest are
dropped. Each addition is an `audit.Decision` on a non-entity with the teacher's type
as its `repair` and `source` "teacher", applied by `apply.clean_doc` like every
other decision, so the audit, the report and `apply-review` treat it the same way.
Every doc is kept, in order.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import DataError
from ..io.docbin import entity_labels, iter_docbin_as_stored, write_docbin
from ..io.ids import sample_key
from ..util import PathLike
from .apply import clean_doc
from .audit import Decision, audit_writer
from .clean import CleanReport, audited
from .entries import check_teacher_labels, load_teacher, predicted_entities
from .repair import token_mask

Entity = tuple[int, int, str]
BATCH = 256


@dataclass(frozen=True)
class TeacherOptions:
    """Which teacher proposals become entities (module docstring). `min_agree`:
    teachers that must predict the exact span and type (None: all of them)."""

    min_agree: int | None = None
    fill_outside: bool = False

    def agreement(self, n_teachers: int) -> int:
        """The number of agreeing teachers a proposal needs, checked."""
        if n_teachers < 1:
            raise DataError("--teacher", "self-training needs at least one teacher")
        k = n_teachers if self.min_agree is None else self.min_agree
        if not 1 <= k <= n_teachers:
            raise DataError(
                "--min-agree",
                f"must be between 1 and the number of teachers ({n_teachers}), not {k}",
            )
        return k


def teacher_votes(
    docs: Sequence[Doc], teachers: Sequence[Language]
) -> list[Counter[Entity]]:
    """For every doc, how many teachers predict each entity (on a copy of its words)."""
    votes: list[Counter[Entity]] = [Counter() for _ in docs]
    for nlp in teachers:
        for doc_votes, ents in zip(votes, predicted_entities(docs, nlp, BATCH)):
            doc_votes.update(ents)
    return votes


def teacher_decisions(
    doc: Doc, votes: Counter[Entity], min_agree: int, fill_outside: bool = False
) -> list[Decision]:
    """The additions to the cleaned `doc` that its teachers' `votes` support."""
    # index i + 1 stands for token i, so that a span's neighbours are always in range
    taken = token_mask(len(doc) + 2, [(e.start + 1, e.end + 1) for e in doc.ents])
    open_iob = (0, 2) if fill_outside else (0,)  # 0: missing, 2: O
    decisions = []
    for (start, end, label), n in sorted(
        votes.items(), key=lambda item: (-item[1], item[0][0] - item[0][1])
    ):
        if n < min_agree or taken[start : end + 2].any():
            continue
        if all(doc[i].ent_iob in open_iob for i in range(start, end)):
            taken[start + 1 : end + 1] = True
            decisions.append(
                Decision(
                    sample_key(doc),
                    "non_entity",
                    start,
                    end,
                    "O",
                    repair=label,
                    source="teacher",
                )
            )
    return sorted(decisions, key=lambda d: d.start)


def self_train_docs(
    docs: Iterable[Doc], teachers: Sequence[Language], options: TeacherOptions
) -> Iterator[tuple[Doc, list[Decision]]]:
    """Every doc with the teachers' additions applied in place, and those decisions."""
    k = options.agreement(len(teachers))
    docs = iter(docs)
    while batch := list(islice(docs, BATCH)):
        for doc, votes in zip(batch, teacher_votes(batch, teachers)):
            decisions = teacher_decisions(doc, votes, k, options.fill_outside)
            yield doc, clean_doc(doc, decisions)


def self_train_docbin(
    data_path: PathLike,
    teacher_paths: Sequence[PathLike],
    output_path: PathLike,
    audit_path: PathLike | None = None,
    options: TeacherOptions = TeacherOptions(),
    shard_size: int | None = None,
) -> CleanReport:
    """Add the teachers' agreed entities to the cleaned data at `data_path`; write the
    result (a .spacy file or a folder of shards) and the audit of the additions,
    atomically."""
    options.agreement(len(teacher_paths))
    teachers = [load_teacher(path) for path in teacher_paths]
    labels = entity_labels(data_path)
    for path, teacher in zip(teacher_paths, teachers):
        check_teacher_labels(teacher, path, labels, data_path)
    report = CleanReport()
    with audit_writer(audit_path) as write_audit:
        docs = self_train_docs(iter_docbin_as_stored(data_path), teachers, options)
        write_docbin(audited(docs, write_audit, report), output_path, shard_size)
    return report
