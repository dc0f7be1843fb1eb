"""Silver labels for a new outlet's HTML pages, for a person to review.

`declutter label` turns pages into labeled documents the way training data
is made (`training/build_lines.py`), with a precision-oriented extraction in
the place of a gold text:

1. render the page to lines: all visible text (selectolax, `shape="page"`)
   and trafilatura's recall-oriented extraction (`shape="residue"`), the two
   shapes declutter meets;
2. the *reference*: `trafilatura.extract(html, favor_precision=True)`, which
   keeps little but what it keeps is article; each line is labeled by
   aligning it with the reference (`declutter.teach.align.align_labels`, strict:
   unsure lines stay unknown), captions and lists of cited works are
   boilerplate (LABELING.md);
3. the current model's opinion of every line (`Cleaner`): it *leans to
   boilerplate* at P(boilerplate) >= `LEANS_BOILERPLATE`, whatever its drop
   threshold (the shipped model drops residue lines only from 0.89, to spare
   article text);
4. the silver label: the reference's, except where the model is sure of the
   opposite (P <= `SURE_ARTICLE` or >= `SURE_BOILERPLATE[shape]`) or the reference
   has no opinion;
5. every line where reference and model disagree (or the reference is
   silent) is *flagged*, with both opinions, so a person checks those first.

>>> from declutter.teach.silver import combine
>>> combine("article", "article", 0.62)
('article', 'reference: article; model: boilerplate (p_boil 0.62)')
>>> combine("article", "boilerplate", 0.995)
('boilerplate', 'reference: article; model: boilerplate (p_boil 0.99)')
"""

from __future__ import annotations

import gzip
import json
import signal
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..document import SHAPES
from ..errors import InputError
from ..io.labeled import LabeledLine, LabeledText
from ..sites import site_of

__all__ = ["Page", "combine", "iter_pages", "label_page", "label_pages", "reference_text", "SHAPES"]

#: When the model overrules the reference, by shape; calibrated on big9_news pages the default model never saw.
SURE_ARTICLE = 0.02  # the model overrules the reference's "boilerplate" at P(boilerplate) <= this
SURE_BOILERPLATE = {"page": 0.99, "residue": 0.5}  # ... and its "article" at P >= this
LEANS_BOILERPLATE = 0.5  # a line is flagged where the model leans the other way from here
MAX_HTML_CHARS = 3_000_000
EXTRACT_SECONDS = 10


@dataclass(slots=True)
class Page:
    """One HTML page to label."""

    id: str
    html: str
    outlet: str | None = None
    url: str | None = None


# ------------------------------------------------------------------ input


def iter_pages(paths: Iterable[str | Path], outlet: str | None = None) -> Iterator[Page]:
    """Pages from folders of .html/.htm files, single HTML files, and JSONL(.gz)
    files with an `html` field (and optionally `id`, `url`, `outlet` or `site`).

    Every page's outlet is named by one rule (`_name_outlets`): `outlet`
    (`--outlet NAME`) when given; else a JSONL record's own `outlet` or
    `site`; else the page's host (its canonical / og:url link, or the
    record's `url`; a Wayback URL names the archived host); a page whose host
    is unknown takes the host most pages of its folder (or JSONL file) have,
    so it does not become an outlet of its own, and only when none has one
    the folder's (or file's) name.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file()
            )
            if not files:
                raise InputError(f"{path}: no .html or .htm files in this folder")
            by_folder: dict[Path, list[Path]] = {}
            for file in files:
                by_folder.setdefault(file.parent, []).append(file)
            for folder, group in by_folder.items():
                def read(group: list[Path] = group, root: Path = path) -> Iterator[Page]:
                    return (_html_file(file, root=root) for file in group)

                yield from _name_outlets(read, folder.resolve().name, outlet)
        elif path.name.lower().endswith((".jsonl", ".jsonl.gz", ".ndjson")):
            yield from _name_outlets(lambda path=path: _jsonl_pages(path), path.name.split(".")[0], outlet)
        elif path.is_file():
            page = _html_file(path, root=path.parent)
            yield from _name_outlets(lambda page=page: iter([page]), path.resolve().parent.name, outlet)
        else:
            raise InputError(f"{path}: no such file or folder")


def _name_outlets(read: Callable[[], Iterator[Page]], place: str, outlet: str | None) -> Iterator[Page]:
    """The one outlet rule of `iter_pages`, for the pages of one folder or JSONL file (`read()` gives them).

    >>> pages = [Page("a", "", url="https://www.bugle.example/a"), Page("b", ""), Page("c", "", url="http://other.example/c")]
    >>> [p.outlet for p in _name_outlets(lambda: iter(pages), "folder", None)]
    ['bugle.example', 'bugle.example', 'other.example']
    >>> [p.outlet for p in _name_outlets(lambda: iter([Page("d", "")]), "folder", None)]
    ['folder']
    """
    common: str | None = None
    for page in read():
        page.outlet = outlet or page.outlet or site_of(page.url)
        if page.outlet is None:
            if common is None:  # a first pass over the pages, only when one has no host
                hosts = Counter(h for h in (site_of(other.url) for other in read()) if h)
                common = hosts.most_common(1)[0][0] if hosts else place
            page.outlet = common
        yield page


def _read_html(path: Path) -> str:
    from ..io.textio import decode_bytes

    try:
        html, _ = decode_bytes(path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return html


def _html_file(path: Path, root: Path) -> Page:
    html = _read_html(path)
    rel = path.relative_to(root) if path != root else Path(path.name)
    return Page(str(rel.with_suffix("")), html, None, _page_url(html))


def _jsonl_pages(path: Path) -> Iterator[Page]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            yield from _records(path, fh)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def _records(path: Path, fh: Any) -> Iterator[Page]:
    for number, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number}: not a JSON line ({exc})") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("html"), str):
            raise InputError(f'{path}:{number}: a record needs an "html" string')
        url = rec.get("url") or _page_url(rec["html"])
        own = rec.get("outlet") or rec.get("site")  # the record names its outlet itself
        yield Page(str(rec.get("id") or f"{path.stem}:{number}"), rec["html"], str(own) if own else None, url)


def _page_url(html: str) -> str | None:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html[:200_000])
    for query, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(query)
        value = node.attributes.get(attr) if node is not None else None
        if value and value.startswith(("http://", "https://")):
            return value
    return None


# ------------------------------------------------------------- rendering


class _Timeout(Exception):
    pass


def _extract(html: str, **options: Any) -> str | None:
    """trafilatura's text (None when it fails or takes longer than EXTRACT_SECONDS)."""
    import trafilatura

    def run() -> str | None:
        return trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            output_format="txt",
            with_metadata=False,
            **options,
        )

    if threading.current_thread() is not threading.main_thread():
        return run()

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(EXTRACT_SECONDS)
    try:
        return run()
    except _Timeout:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def reference_text(html: str) -> str:
    """The precision-oriented extraction the silver labels align against ("" if none)."""
    return _extract(html, favor_precision=True) or ""


def _residue_lines(html: str) -> list[str] | None:
    text = _extract(html, favor_recall=True)
    return None if text is None else [line.strip() for line in text.splitlines() if line.strip()]


def _reference_labels(
    lines: list[str], kinds: list[str], reference: str, title: str | None
) -> list[str | None]:
    from .align import align_labels, relabel_by_kind

    if not reference.strip():
        return [None] * len(lines)
    labels = align_labels(lines, reference, title=title)
    relabel_by_kind(lines, labels, kinds)
    return labels


# ------------------------------------------------------------- combining


def _kept(label: str | None) -> bool | None:
    return None if label is None else label != "boilerplate"


def combine(
    reference: str | None, model: str | None, p_boil: float | None, shape: str = "page"
) -> tuple[str | None, str | None]:
    """The silver label of one line and why to check it (None: nothing to check).

    `model` is the model's label (for title vs article), `p_boil` its
    P(boilerplate), which alone decides whether it leans to dropping.
    """
    if model is None or p_boil is None:
        return reference, None if reference is not None else "reference: unknown; no model"
    if p_boil >= LEANS_BOILERPLATE:
        model = "boilerplate"
    elif model == "boilerplate":
        model = "article"
    opinion = f"model: {model} (p_boil {min(p_boil, 0.99):.2f})"
    if reference is None:
        return model, f"reference: unknown; {opinion}"
    if _kept(reference) == _kept(model):
        return reference, None
    sure = p_boil <= SURE_ARTICLE or p_boil >= SURE_BOILERPLATE[shape]
    return (model if sure else reference), f"reference: {reference}; {opinion}"


def label_page(
    page: Page, cleaner: Any | None = None, shapes: Sequence[str] = SHAPES, rule: str = "combine"
) -> list[LabeledText]:
    """Silver-labeled documents of one page, one per shape.

    `cleaner` (a `Cleaner`) gives the model's opinion; None labels by the
    reference alone. `rule`: "combine" (default), "reference" or "model"
    (for measuring; the flags are the same).
    """
    from ..io.html import extract_title, render_html
    from .align import kinds_for

    html = page.html
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    rendered = render_html(html)
    page_lines = [r.text for r in rendered]
    title = extract_title(html)
    reference = reference_text(html)
    docs: list[tuple[str, list[str], list[str]]] = []
    for shape in shapes:
        if shape == "page":
            docs.append(("page", page_lines, [r.kind for r in rendered]))
        elif shape == "residue":
            residue = _residue_lines(html)
            if residue:
                docs.append(("residue", residue, kinds_for(residue, rendered)))
        else:
            raise ValueError(f"unknown shape {shape!r}: use residue or page")
    results = _model_opinions(cleaner, [lines for _, lines, _ in docs])
    out = []
    for (shape, lines, kinds), opinion in zip(docs, results):
        ref = _reference_labels(lines, kinds, reference, title)
        labeled = []
        for i, text in enumerate(lines):
            model_label, p = opinion[i] if opinion else (None, None)
            label, flag = combine(ref[i], model_label, p, shape)
            if rule == "reference":
                label = ref[i] if ref[i] is not None else model_label
            elif rule == "model" and model_label is not None:
                label = model_label
            labeled.append(LabeledLine(text, label, flag))
        meta: dict[str, Any] = {"shape": shape, "source": "declutter label"}
        if page.url:
            meta["url"] = page.url
        out.append(LabeledText(page.id, labeled, page.outlet, meta))
    return out


def _model_opinions(
    cleaner: Any | None, docs: list[list[str]]
) -> list[list[tuple[str, float]] | None]:
    if cleaner is None or not docs:
        return [None] * len(docs)
    from ..pipeline import Cleaner
    from .evaluation import as_document

    # Labels and scores only: no repairs or cuts to compute.
    quick = Cleaner(
        cleaner.config.with_changes(repair=False, cut_notices=False), model=cleaner.model
    )
    results = quick.explain_documents([as_document(lines) for lines in docs])
    return [
        [(line.label or "article", float(line.score or 0.0)) for line in r.lines] for r in results
    ]


def label_pages(
    pages: Iterable[Page],
    cleaner: Any | None = None,
    shapes: Sequence[str] = SHAPES,
    rule: str = "combine",
) -> Iterator[LabeledText]:
    """`label_page` over many pages, one document at a time."""
    for page in pages:
        yield from label_page(page, cleaner, shapes, rule)
