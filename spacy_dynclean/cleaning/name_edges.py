"""Names cut short: where a kept entity's name runs on into capitalised words.

A dictionary match that stops before a capitalised word is most often a longer name
cut short (`York` of `New York`, `Lanka` of `Sri Lanka`): English capitalises every
word of a name, and a capitalised word inside a sentence is rarely a common word. The
evidence is the text itself, not the distant labels, so it sees what training dynamics
cannot (a cut-short match is wrong at every occurrence, and learned like a right one).

`capitalised_runs` gives, for each entity, the capitalised words right before and
right after it that no entity covers, as maximal runs (`capitalised_word`: letters
only, two or more). Not evidence, so skipped:
a run before the entity that is only the first word of its sentence (every sentence
starts with a capital; the same reason
`cleaning/entries.py` puts `The` in its own group) and docs whose words are mostly
upper case (headlines: `JAPAN GET LUCKY WIN`). `rules.with_capitalised_decisions`
flags the runs as non-entities (source "capitalised"), and the neighbour rule then
makes each touching entity and its run one missing unit.

Measured before it was built (BENCHMARKS.md, issue 14): a distant entity with such a
neighbour is wrong 86% of the time on conll03 (base rate 18%), 96% on wikigold, 87% on
webpage, 65% on twitter, and these hold 55%, 17%, 49% and 20% of the wrong entities.

`whole_names` is the converse, for the entries to add (`EntryOptions.whole_names`): a
place with no capitalised neighbour is a name on its own (`British` alone, not the
`British` of `British Airways`).

Both assume English-like capitalisation: turn them off (`--recipe cleaned_nocap`, and
no `whole_names`) for text that capitalises common nouns (German) or ignores case.
"""

from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span

SENTENCE_ENDS = frozenset({".", "!", "?"})


def capitalised_runs(
    doc: Doc, entities: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The (start, end) runs of capitalised words that no entity of the doc covers,
    right before or right after one of `entities` (module docstring)."""
    if mostly_upper(doc):
        return []
    covered = {i for ent in doc.ents for i in range(ent.start, ent.end)}

    def open_word(i: int) -> bool:
        return i not in covered and capitalised_word(doc[i].text)

    runs = set()
    for start, end in entities:
        left = start
        while left > 0 and open_word(left - 1):
            left -= 1
        if left < start and not sentence_initial(doc, start - 1):
            runs.add((left, start))
        right = end
        while right < len(doc) and open_word(right):
            right += 1
        if right > end:
            runs.add((end, right))
    return sorted(runs)


def whole_names(spans: Sequence[Span]) -> list[Span]:
    """The `spans` (of one doc) that are names on their own: no capitalised word right
    after one, nor right before it unless that word starts its sentence; all of them
    in a doc of mostly upper-case words (its capitals say nothing)."""
    if not spans or mostly_upper(spans[0].doc):
        return list(spans)
    return [span for span in spans if not _capitalised_neighbour(span)]


def _capitalised_neighbour(span: Span) -> bool:
    doc = span.doc
    before = span.start > 0 and capitalised_word(doc[span.start - 1].text)
    if before and not sentence_initial(doc, span.start - 1):
        return True
    return span.end < len(doc) and capitalised_word(doc[span.end].text)


def capitalised_word(text: str) -> bool:
    """A word (`is_word`), the first letter upper case: not an initial, `A` or `I`,
    nor an abbreviation or title with periods (`Ph.D.`, `Mr.`), which are
    capitalised for other reasons than being part of a name."""
    return is_word(text) and text[0].isupper()


def is_word(text: str) -> bool:
    """Two or more letters and nothing else (from the text: a DocBin's docs have no
    lexeme flags)."""
    return len(text) > 1 and text.isalpha()


def sentence_initial(doc: Doc, i: int) -> bool:
    """Whether token `i` is the first word of its sentence: only punctuation lies
    between it and the doc's start or the last `.`, `!` or `?`."""
    for token in reversed(doc[:i]):
        if token.text in SENTENCE_ENDS:
            return True
        if any(c.isalnum() for c in token.text):
            return False
    return True


def mostly_upper(doc: Doc) -> bool:
    """Whether at least half of the doc's words (`is_word`) are upper case."""
    words = [t.text for t in doc if is_word(t.text)]
    return bool(words) and 2 * sum(w.isupper() for w in words) >= len(words)
