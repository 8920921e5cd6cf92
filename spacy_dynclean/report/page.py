"""The static HTML report: `index.html` (summary, figures, first page of flagged
sentences) and `page-2.html`… (the next pages). No server, no network: inline CSS,
the figures by relative path, every text escaped. Sentences use displaCy's entity
markup: kept entities as displaCy draws them, removed ones struck through, tokens
that became missing outlined, each with its AUM and threshold.
"""

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.displacy.render import DEFAULT_LABEL_COLORS
from spacy.tokens import Doc

from ..cleaning.audit import (
    ACTION_HEADERS,
    ACTION_TITLES,
    REMOVED_ENTITY,
    SOURCE_TITLES,
    Decision,
    Key,
    count_actions,
    source_rows,
    source_summary,
)
from ..cleaning.entries import KEEP
from ..training.selection import SELECTION_HEADER, selection_rows
from ..util import PathLike, atomic_write
from .plots import Plot
from .review import FlaggedDoc

PAGE_SIZE = 100
INDEX = "index.html"
Verdicts = Mapping[Key, bool]
LABEL_ALIASES = {"PER": "PERSON", "MISC": "NORP"}
_PAGE_FILE = re.compile(r"^page-(\d+)\.html$")
TITLES = {
    "kept": "entity of the data, kept",
    "removed": "entity of the data, removed by the cleaning",
    "missing": "non-entity tokens marked missing by the cleaning",
    "premissing": "tokens already missing in the data",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1180px;
padding:1em 1.5em;color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child,table.inputs td{text-align:left}
.toc a{margin-right:1em}
.tables{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}
.note{background:#fff4e5;border-left:4px solid #f0a020;padding:.4em .8em;margin:.4em 0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1em}
figure{margin:0}figure img{width:100%;border:1px solid #eee}figcaption{color:#555;font-size:.85em}
.nav{margin:1em 0}.nav a,.nav b{margin-right:.6em}
.sent{border-top:1px solid #eee;padding:.6em 0}.head{color:#555;font-size:.85em}
.entities{line-height:2.6}
mark.entity{padding:.45em .6em;margin:0 .25em;line-height:1;border-radius:.35em;
-webkit-box-decoration-break:clone;box-decoration-break:clone}
mark .lab{font-size:.8em;font-weight:bold;line-height:1;vertical-align:middle;margin-left:.5rem;white-space:nowrap}
mark .aum{font-size:.72em;font-weight:normal;color:#333;margin-left:.35rem;vertical-align:middle;white-space:nowrap}
mark.removed{background:#eee!important;border:2px dashed #c0392b}mark.removed .txt{text-decoration:line-through}
mark.missing{background:#fffbe6;border:2px dotted #e69500}
mark.premissing{background:#f3f3f3;border:1px dotted #999}
.hit{color:#1a7f37;font-weight:bold}.miss{color:#b42318;font-weight:bold}
.gold{font-size:.9em;color:#444}.gold .entities{line-height:2.2}.more{color:#555;font-style:italic}
.foot{font-size:.85em;color:#555;margin:.2em 0 0 1em}
"""


@dataclass
class PageData:
    """Everything the pages show. `items` are the flagged docs in display order,
    `gold` the gold docs by id, `verdicts` whether each decision (doc_id, start,
    end, kind) is a real error by the gold labels."""

    inputs: dict[str, str]
    thresholds: dict[str, Any]
    counts: dict[str, Any]
    n_docs: int
    items: list[FlaggedDoc]
    plots: list[Plot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    detection: dict[str, dict[str, Any]] | None = None
    gold: dict[str, Doc] | None = None
    verdicts: Verdicts | None = None
    entries: list[dict[str, Any]] | None = None  # entries.jsonl lines, by harm
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    source_detection: dict[str, dict[str, Any]] | None = None  # with gold
    selection: dict[str, Any] | None = None  # selection.json of `dynclean select`


def write_pages(
    data: PageData,
    output_dir: PathLike,
    max_items: int = 500,
    page_size: int = PAGE_SIZE,
) -> list[Path]:
    """Write index.html and page-N.html; remove page files of an older, longer report."""
    output_dir, page_size = Path(output_dir), max(page_size, 1)
    shown = data.items[: max(max_items, 0)]
    chunks = [shown[i : i + page_size] for i in range(0, len(shown), page_size)] or [[]]
    names = [INDEX] + [f"page-{n}.html" for n in range(2, len(chunks) + 1)]
    hidden = len(data.items) - len(shown)
    paths = []
    for number, (name, chunk) in enumerate(zip(names, chunks), start=1):
        nav = _nav(names, number)
        body = [summary(data, hidden)] if number == 1 else []
        body += [
            f'<h2 id="sentences">Flagged sentences, page {number} of {len(chunks)}</h2>',
            nav,
            sentences(chunk, data, rank=(number - 1) * page_size),
        ]
        if number == len(chunks) and hidden:
            body.append(
                f'<p class="more">{hidden:,} more flagged sentences not shown (raise --max-items; '
                "review.jsonl and the audit hold them all).</p>"
            )
        body.append(nav)
        paths.append(output_dir / name)
        atomic_write(
            paths[-1], _document(f"dynclean report, page {number}", body).encode("utf8")
        )
    _remove_stale_pages(output_dir, len(chunks))
    return paths


def summary(data: PageData, hidden: int) -> str:
    """The first page's top: inputs, notes, counts, thresholds, detection, figures, legend."""
    out = [
        "<h1>What dynclean cleaned</h1>",
        _inputs(data),
        '<p class="toc"><a href="#summary">Summary</a><a href="#figures">Figures</a>'
        f'<a href="#sentences">Flagged sentences ({len(data.items):,})</a></p>',
    ]
    if data.selection is not None:
        out.append(_selection(data.selection))
    out.append(
        f"<p><b>What removed what:</b> {_e(source_summary(data.by_source))}.</p>"
    )
    out += [f'<div class="note">{_e(note)}</div>' for note in data.notes]
    tables = [
        _source_table(data),
        _decision_table(data),
        _count_table(data.counts),
        _threshold_table(data.thresholds),
    ]
    if data.source_detection:
        tables.append(_source_detection_table(data.source_detection))
    if data.detection:
        tables.append(_detection_table(data.detection))
    if data.entries is not None:
        tables.append(_entries_table(data.entries))
    out += ['<h2 id="summary">Summary</h2>', '<div class="tables">', *tables, "</div>"]
    out += (
        ['<h2 id="figures">Figures</h2>', '<div class="figures">']
        + [
            f'<figure><a href="{_e(p.file)}"><img src="{_e(p.file)}" alt="{_e(p.caption)}"></a>'
            f"<figcaption>{_e(p.caption)} (click for full size)</figcaption></figure>"
            for p in data.plots
        ]
        + ["</div>"]
    )
    shown = len(data.items) - hidden
    out += [
        "<h2>How to read the sentences</h2>",
        _legend(),
        f"<p>{len(data.items):,} sentences have decisions; {shown:,} are shown, sorted by the lowest AUM "
        "among their decisions (most doubtful first).</p>",
    ]
    return "\n".join(out)


def sentences(items: Sequence[FlaggedDoc], data: PageData, rank: int = 0) -> str:
    """The blocks of flagged sentences, numbered from `rank + 1`."""
    blocks = []
    for n, item in enumerate(items, start=rank + 1):
        low = item.lowest
        head = (
            f'<div class="head">#{n} · doc {_e(item.doc_id)} · {len(item.decisions)} decision(s) · lowest AUM '
            f"{_num(low.aum)} (threshold {_num(low.threshold)})</div>"
        )
        parts = [
            head,
            f'<div class="entities">{render_doc(item, data.verdicts)}</div>',
            _footnotes(item, data.verdicts),
        ]
        if data.gold is not None:
            parts.append(_gold_line(data.gold.get(item.doc_id)))
        blocks.append(
            f'<div class="sent" id="{_e(item.doc_id)}">{"".join(parts)}</div>'
        )
    return "\n".join(blocks) or "<p>No flagged sentences.</p>"


def render_doc(item: FlaggedDoc, verdicts: Verdicts | None = None) -> str:
    """The doc in displaCy's entity markup: entities of the data (kept or struck
    through), and runs of tokens the cleaning made missing."""
    doc = item.original
    removed = {
        (d.start, d.end, d.label): d for d in item.decisions if d.kind == "entity"
    }
    negatives = [d for d in item.decisions if d.kind == "non_entity"]
    ents = {e.start: e for e in doc.ents}
    missing = [t.ent_iob == 0 for t in item.cleaned]
    out, i = [], 0
    while i < len(doc):
        if i in ents:
            ent = ents[i]
            decision = removed.get((ent.start, ent.end, ent.label_))
            kind = "removed" if decision else "kept"
            out.append(
                _mark(
                    doc,
                    ent.start,
                    ent.end,
                    ent.label_,
                    kind,
                    [decision] if decision else [],
                    item,
                    verdicts,
                )
            )
            i = ent.end
        elif missing[i]:
            covering = _covering(negatives, i)
            j = i + 1
            while (
                j < len(doc)
                and j not in ents
                and missing[j]
                and _covering(negatives, j) == covering
            ):
                j += 1
            kind = "missing" if covering else "premissing"
            out.append(
                _mark(
                    doc,
                    i,
                    j,
                    "missing",
                    kind,
                    sorted(covering, key=lambda d: d.start),
                    item,
                    verdicts,
                )
            )
            i = j
        else:
            out.append(_e(doc[i].text_with_ws))
            i += 1
    return "".join(out)


def _mark(
    doc: Doc,
    start: int,
    end: int,
    label: str,
    kind: str,
    decisions: Sequence[Decision],
    item: FlaggedDoc,
    verdicts: Verdicts | None,
) -> str:
    """One decision-annotated <mark> (and the whitespace after it)."""
    name = {"removed": f"{label} removed", "premissing": "missing in the data"}.get(
        kind, label
    )
    scores = "; ".join(_score(d, item, verdicts) for d in decisions)
    return _mark_html(
        doc[start:end].text, label, kind, name, scores, TITLES[kind]
    ) + _e(doc[end - 1].whitespace_)


def _mark_html(
    text: str, label: str, kind: str, name: str, scores: str = "", title: str = ""
) -> str:
    """displaCy's entity <mark>: `text`, then `name` in bold and the (HTML) `scores`;
    kept entities get displaCy's colour of `label`."""
    style = f' style="background:{_colour(label)}"' if kind == "kept" else ""
    title_attr = f' title="{_e(title)}"' if title else ""
    aum = f'<span class="aum">{scores}</span>' if scores else ""
    return (
        f'<mark class="entity {kind}"{style}{title_attr}><span class="txt">{_e(text)}</span>'
        f'<span class="lab">{_e(name)}</span>{aum}</mark>'
    )


# what flagged a decision that is not the training dynamics' own
SOURCE_TEXTS = {
    "entry": "its dictionary entry, judged on dev",
    "capitalised": "capitalised words running on from an entity: a name cut short",
    "neighbour": "touches a flagged non-entity",
    "teacher": "the self-training teachers agree on it",
}


def _score(decision: Decision, item: FlaggedDoc, verdicts: Verdicts | None) -> str:
    text = SOURCE_TEXTS.get(
        decision.source, f"AUM {_num(decision.aum)} &lt; {_num(decision.threshold)}"
    )
    if verdicts is None:
        return text
    error = verdicts.get(decision.key)
    if error is None:
        return text
    verdict = (
        '<span class="hit" title="the gold labels say this label was wrong: a right call">'
        "gold ✓ was an error</span>"
        if error
        else '<span class="miss" title="the gold labels say this label was right: a wrong call">'
        "gold ✗ was right</span>"
    )
    return f"{text} {verdict}"


def _footnotes(item: FlaggedDoc, verdicts: Verdicts | None) -> str:
    """Flagged non-entities that changed nothing (a kept entity overlaps them)."""
    quiet = [d for d in item.decisions if d.kind == "non_entity" and d.n_missing == 0]
    lines = [
        f'<div class="foot">flagged non-entity “{_e(item.original[d.start : d.end].text)}” stays: a kept '
        f"entity covers it ({_score(d, item, verdicts)})</div>"
        for d in quiet
    ]
    return "".join(lines)


def _gold_line(doc: Doc | None) -> str:
    if doc is None:
        return '<div class="gold">gold: (no gold doc with this id)</div>'
    out, i, ents = [], 0, {e.start: e for e in doc.ents}
    while i < len(doc):
        if i in ents:
            ent = ents[i]
            out.append(
                _mark_html(ent.text, ent.label_, "kept", ent.label_)
                + _e(doc[ent.end - 1].whitespace_)
            )
            i = ent.end
        else:
            out.append(_e(doc[i].text_with_ws))
            i += 1
    return f'<div class="gold"><b>gold:</b> <span class="entities">{"".join(out)}</span></div>'


def _covering(decisions: Sequence[Decision], i: int) -> frozenset[Decision]:
    return frozenset(d for d in decisions if d.start <= i < d.end)


def _inputs(data: PageData) -> str:
    rows = "".join(
        f"<tr><th>{_e(name)}</th><td>{_e(path)}</td></tr>"
        for name, path in data.inputs.items()
    )
    return f'<table class="inputs">{rows}</table>'


def _decision_table(data: PageData) -> str:
    decisions = [d for item in data.items for d in item.decisions]
    removed = Counter(d.label for d in decisions if d.action == REMOVED_ENTITY)
    rows = [(f"entities removed: {label}", n) for label, n in sorted(removed.items())]
    rows += [
        (ACTION_TITLES[action].lower(), n)
        for action, n in count_actions(decisions).items()
    ]
    rows += [
        (
            "tokens now missing",
            sum(int((t.ent_iob == 0)) for item in data.items for t in item.cleaned),
        ),
        ("docs changed", f"{len(data.items):,} of {data.n_docs:,}"),
    ]
    return _table("Decisions (audit)", ("action", "count"), rows)


def _selection(selection: dict[str, Any]) -> str:
    """What `dynclean select` chose on dev, why, and every candidate's gain."""
    return (
        f"<p><b>Recipe chosen on the dev set:</b> {_e(selection['reason'])}. Each dev "
        "doc was scored by models whose cleaning and early stopping never used it.</p>"
        + _table(
            "The candidates on dev (cross-fitted)",
            SELECTION_HEADER,
            selection_rows(selection),
        )
    )


def _source_table(data: PageData) -> str:
    """Every decision of the audit, by what flagged it (`audit.source_rows`)."""
    return _table(
        "What removed what (audit, by source)",
        ("flagged by", *(h.lower() for h in ACTION_HEADERS)),
        source_rows(data.by_source),
    )


def _source_detection_table(detection: dict[str, dict[str, Any]]) -> str:
    """The entities each source removed or relabelled, against gold."""
    rows = [
        (
            SOURCE_TITLES.get(source, source),
            m["flagged"],
            _num(m["precision"], 3),
            _num(m["recall"], 3),
        )
        for source, m in detection.items()
    ]
    return _table(
        "Entities removed or relabelled, against gold (by source)",
        ("flagged by", "entities", "precision", "recall"),
        rows,
    )


def _count_table(counts: dict[str, Any]) -> str:
    rows = []
    for kind, value in counts["kinds"].items():
        for label, c in value["types"].items():
            share = f"{c['flagged'] / c['judged']:.1%}" if c["judged"] else "-"
            rows.append(
                (f"{kind} {label}", c["items"], c["judged"], c["flagged"], share)
            )
    return _table(
        "Items per kind and type (scores)",
        ("kind / type", "items", "judged", "flagged", "% flagged"),
        rows,
    )


def _threshold_table(thresholds: dict[str, Any]) -> str:
    rows = [
        (
            f"run {i}" + ("" if run.get("fold") is None else f" (fold {run['fold']})"),
            _num(run.get("t_pos")),
            _num(run.get("t_neg")),
            run.get("n_fake_pos", "-"),
            run.get("n_fake_neg", "-"),
        )
        for i, run in enumerate(thresholds.get("runs", []))
    ]
    title = (
        f"Cuts: p_pos {thresholds.get('p_pos', '-')}, p_neg {thresholds.get('p_neg', '-')}, "
        f"head {thresholds.get('head', '-')}"
    )
    return _table(title, ("run", "t_pos", "t_neg", "fake pos", "fake neg"), rows)


def _detection_table(detection: dict[str, dict[str, Any]]) -> str:
    rows = [
        (
            side,
            m["n_judged"],
            m["n_errors"],
            m["flagged"],
            _num(m["precision"], 3),
            _num(m["recall"], 3),
            _num(m["auroc"], 3),
        )
        for side, m in (
            ("entities", detection["pos"]),
            ("non-entities", detection["neg"]),
        )
    ]
    return _table(
        "Detection of the AUM flags against gold (the scores' cut only)",
        ("side", "judged", "real errors", "flagged", "precision", "recall", "AUROC"),
        rows,
    )


def _entries_table(entries: Sequence[dict[str, Any]], most: int = 50) -> str:
    """The dictionary entries most likely to do harm (`dynclean entries`), first."""
    flagged = [e for e in entries if e["action"] != KEEP]  # as edited, if it was
    rows = [
        (
            " ".join(e["words"]),
            e["label"],
            e.get("n", "-"),
            ", ".join(f"{k} {v}" for k, v in (e.get("dev") or {}).items()) or "-",
            _num(e.get("p_wrong")),
            e["action"] + (f" → {e['repair']}" if e.get("repair") else ""),
        )
        for e in entries[:most]
    ]
    title = (
        f"Dictionary entries ({len(flagged):,} of {len(entries):,} flagged; "
        f"the {len(rows)} most harmful: occurrences × P(wrong))"
    )
    header = ("Entry", "Type", "Occurrences", "Gold dev says", "P(wrong)", "Action")
    return _table(title, header, rows)


def _legend() -> str:
    return (
        '<p class="entities">Each sentence shows the distant labels: '
        f"{_sample('kept', 'PER', 'entity kept')}, "
        f"{_sample('removed', 'LOC removed', 'entity removed')} (its tokens became missing unless the data was "
        f"cleaned with --entity-action outside), {_sample('missing', 'missing', 'tokens made missing')} (a "
        "flagged non-entity: unknown for training, not O). Each decision shows its AUM and the threshold it fell "
        "below; with --gold, whether the gold labels call the label an error, and the gold entities below.</p>"
    )


def _sample(kind: str, label: str, text: str) -> str:
    return _mark_html(text, label.split()[0], kind, label)


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_cell(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<div><h3>{_e(title)}</h3><table><tr>{head}</tr>{body}</table></div>"


def _nav(names: Sequence[str], current: int) -> str:
    if len(names) < 2:
        return ""
    links = [
        f"<b>{n}</b>" if n == current else f'<a href="{_e(name)}">{n}</a>'
        for n, name in enumerate(names, start=1)
    ]
    return f'<div class="nav">Pages: {" ".join(links)}</div>'


def _document(title: str, body: Sequence[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>\n'
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _remove_stale_pages(output_dir: Path, n_pages: int) -> None:
    for path in output_dir.glob("page-*.html"):
        match = _PAGE_FILE.match(path.name)
        if match and int(match.group(1)) > n_pages:
            path.unlink()


def _colour(label: str) -> str:
    return DEFAULT_LABEL_COLORS.get(label) or DEFAULT_LABEL_COLORS.get(
        LABEL_ALIASES.get(label, ""), "#ddd"
    )


def _cell(value: Any) -> str:
    return (
        f"{value:,}"
        if isinstance(value, int) and not isinstance(value, bool)
        else str(value)
    )


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or value != value else f"{value:.{digits}f}"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)
