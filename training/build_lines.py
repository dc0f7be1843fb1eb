"""Turn ../shared/data (HTML pages + gold text) into labeled line datasets.

Each page gives two documents, the two input shapes declutter meets:

* `residue`: trafilatura's recall-oriented extraction, one paragraph a line:
  mostly article with leftover boilerplate, like real scraped text
  (`../shared/seeds`); about half of them start with the headline, as
  scrapers often prepend it;
* `page`: all visible text of the page (`declutter.io.html`): mostly boilerplate.

Lines are labeled by aligning them with the dataset's gold text
(`declutter.teach.align`); each dataset's gold conventions (../shared/data/README.md)
are mapped onto LABELING.md here, in `prepare()`.

    python training/build_lines.py [--data ../shared/data] [--out build/lines]
        [--datasets NAME ...] [--jobs 2] [--limit N]

Output: `<out>/<dataset>.jsonl.gz` (one document per line: id, dataset, site,
lang, shape, page_type, gold, lines=[{text, label, kind}], and gold_published where
the gold was mapped onto LABELING.md) and `<out>/summary.json`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from joblib import Parallel, delayed

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout, package not installed
    sys.path.insert(0, str(ROOT))

from declutter.teach.align import (
    ARTICLE,
    BOILERPLATE,
    TITLE,
    align_labels,
    drop_by_guide,
    is_sentence,
    label_by_snippets,
    looks_like_boilerplate,
    kinds_for,
    matches_title,
    relabel_by_kind,
    tokenize,
)
from declutter.io.html import RenderedLine, page_titles, render_html

DATASETS = (
    "big9_news",
    "chaos_web",
    "cleaneval",
    "cleanportaleval",
    "dragnet",
    "l3s_gn1",
    "readability",
    "trafilatura_eval",
    "wcxb_dev",
)
# Datasets whose gold starts with the headline (README: "first line = headline").
# In dragnet and cleaneval a gold line is the headline only where a page title
# names it (dragnet golds often open with a date line, cleaneval pages with none).
TITLE_FIRST = frozenset({"big9_news", "chaos_web", "cleanportaleval"})
MIN_RECALL = 0.8  # README's recommended training filter
MAX_TITLE_WORDS = 20
MAX_HTML_CHARS = 3_000_000  # bigger pages are skipped (trafilatura takes seconds)
EXTRACT_SECONDS = 10
CONTAINED_MIN_TOKENS = 10  # guide_gold: a repeat this long inside earlier gold text is no accident
_SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
L3S_GOLD = {"headline": TITLE, "fulltext": ARTICLE}


@dataclass(slots=True)
class Prepared:
    """One page made ready for labeling: what the gold says, in LABELING terms."""

    gold: str | None  # body text to align against (no headline); None: snippets only
    title: str | None  # the headline, labeled `title` where a line matches it
    gold_out: str | None  # gold text written to the output
    noscript: bool = False  # render <noscript> (Discourse forum posts live there)
    positive: list[str] = field(default_factory=list)  # snippets (trafilatura_eval)
    negative: list[str] = field(default_factory=list)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lines")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--limit", type=int, default=None, help="pages per dataset (for a quick run)"
    )
    return parser.parse_args(argv)


# ------------------------------------------------------------ gold conventions


def prepare(page: dict[str, Any]) -> Prepared | str:
    """Map one page's gold onto LABELING.md; a str is the reason to skip it."""
    dataset, meta, text = page["dataset"], page["meta"], page["text"]
    if dataset == "trafilatura_eval":
        negative = list(meta.get("without") or []) + list(meta.get("comments_snippets") or [])
        return Prepared(
            None, meta.get("title"), None, positive=list(meta.get("with") or []), negative=negative
        )
    if not text or not text.strip():
        return "empty_gold"
    if dataset == "readability" and meta.get("synthetic"):
        return "synthetic"
    recall = meta.get("gold_recall_in_html", 1.0)
    noscript = False
    if recall < MIN_RECALL:
        if (meta.get("gold_recall_with_noscript") or 0.0) < MIN_RECALL:
            return "low_recall"
        noscript = True
    if dataset == "l3s_gn1":
        # gold = headline + fulltext blocks; supplemental (captions, bylines,
        # dates), related, comments are boilerplate by LABELING.md
        kept = [(label, line) for label, line in meta["blocks"] if label in L3S_GOLD]
        title = " ".join(line for label, line in kept if label == "headline") or meta.get("title")
        body = "\n".join(line for label, line in kept if label == "fulltext")
        return Prepared(body, title, "\n".join(line for _, line in kept))
    if dataset in ("wcxb_dev", "readability"):
        return Prepared(text, meta.get("title"), text, noscript=noscript)
    lines = text.splitlines()
    at = _gold_title_line(lines, page["html"], dataset)
    if at is None:
        return Prepared(text, None, text, noscript=noscript)
    return Prepared("\n".join(lines[:at] + lines[at + 1 :]), lines[at], text, noscript=noscript)


def _gold_title_line(lines: list[str], html: str, dataset: str) -> int | None:
    """Which of the gold's first lines is the headline: one that a title of the
    page names; else, where the dataset puts the headline first, line 0."""
    titles = page_titles(html)
    for at, line in enumerate(lines[:3]):
        if len(line.split()) < MAX_TITLE_WORDS and any(_names(t, line) for t in titles):
            return at
    if dataset in TITLE_FIRST and lines and len(lines[0].split()) < MAX_TITLE_WORDS:
        return 0
    return None


def _names(page_title: str, line: str) -> bool:
    """Does a page title ("Headline | Site", sometimes shortened) name this line?"""
    if matches_title(line, page_title):
        return True
    line_tokens, title_tokens = Counter(tokenize(line)), Counter(tokenize(page_title))
    shorter = min(sum(line_tokens.values()), sum(title_tokens.values()))
    common = sum((line_tokens & title_tokens).values())
    return shorter >= 3 and common >= 0.8 * shorter


# ------------------------------------------------------------------ shapes


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def extract_residue(html: str) -> list[str] | None:
    """trafilatura's recall-oriented text, one line per paragraph (None: failed/slow)."""
    import trafilatura

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(EXTRACT_SECONDS)
    try:
        text = trafilatura.extract(
            html,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            output_format="txt",
            with_metadata=False,
        )
    except _Timeout:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _stable_half(doc_id: str) -> bool:
    return hashlib.sha1(doc_id.encode()).digest()[0] % 2 == 0


def _headline_text(title: str, page_lines: list[str], page_labels: list[str | None]) -> str:
    """The headline as the page shows it (its `title` line), else the title's headline part."""
    for line, label in zip(page_lines, page_labels):
        if label == TITLE:
            return line
    parts = [p.strip() for p in title.replace(" – ", " | ").replace(" — ", " | ").split(" | ")]
    return max(parts, key=len) if parts else title


def label(lines: list[str], prep: Prepared, kinds: list[str]) -> list[str | None]:
    if prep.gold is None:
        return label_by_snippets(lines, prep.positive, prep.negative, title=prep.title)
    return align_labels(lines, prep.gold, title=prep.title, kinds=kinds)


def _apply_kinds(lines: list[str], labels: list[str | None], kinds: list[str]) -> None:
    """Where the element kind knows better than the gold (LABELING wins):

    * captions and reference-list entries are boilerplate even where a gold
      kept them (`declutter.teach.align.relabel_by_kind`);
    * a subheading between two article lines that the gold left out is most
      likely an intertitle the annotator skipped: unknown, not boilerplate.
    """
    relabel_by_kind(lines, labels, kinds)
    seen: set[str] = set()
    for i, kind in enumerate(kinds):
        if (
            kind in _SUBHEADINGS
            and labels[i] == BOILERPLATE
            and lines[i] not in seen
            and not looks_like_boilerplate(lines[i])
            and _between_article(labels, i)
        ):
            labels[i] = None
        seen.add(lines[i])


def guide_gold(gold: str, rendered: Sequence[RenderedLine]) -> str:
    """The gold text without the lines LABELING.md drops, so token F1 scores
    the output against the same reading of the guide as the line labels:
    lines the markup relabels (`relabel_by_kind`: captions, lists of cited
    works, by `kinds_for`) and repeats,
    which the labels call boilerplate: a sentence or paragraph
    (`declutter.teach.align.is_sentence`) equal to an earlier gold line, or of
    >= CONTAINED_MIN_TOKENS tokens found inside the earlier gold text (a gold
    that holds the story twice, split differently). Shorter pieces of earlier
    text are left (hard-wrapped golds repeat them), and so is structure that
    recurs by nature: a table cell, a list item, a code line, "Fee: $95".
    Lines `boilerplate_reason` names (bylines, credits, follow prompts, date
    stamps) go too, as the labels drop them (`drop_by_guide`).

    >>> guide_gold("Body text here.\\n^ Doe (1999). Cited.", [RenderedLine("^ Doe (1999). Cited.", "references")])
    'Body text here.'
    >>> guide_gold("One two three four. Five six.\\nOne two three four.\\nFive six seven eight.\\nFive six seven eight.", [])
    'One two three four. Five six.\\nOne two three four.\\nFive six seven eight.'
    >>> guide_gold("Pros\\nLocation: Rm. 111, Shah Center\\nPros\\nLocation: Rm. 111, Shah Center", [])
    'Pros\\nLocation: Rm. 111, Shah Center\\nPros\\nLocation: Rm. 111, Shah Center'
    >>> guide_gold("The council met on Monday and voted for the plan.\\nFollow Jane Doe on Twitter @janedoe", [])
    'The council met on Monday and voted for the plan.'
    """
    lines = gold.split("\n")
    labels: list[str | None] = [ARTICLE] * len(lines)
    kinds = kinds_for(lines, rendered)
    relabel_by_kind(lines, labels, kinds)
    all_tokens = [tokenize(line) for line in lines]
    earlier, seen = " ", set()
    for i, line in enumerate(lines):
        tokens = tuple(all_tokens[i])
        joined = " ".join(tokens)
        if is_sentence(line, tokens, kinds[i]) and (
            tokens in seen or (len(tokens) >= CONTAINED_MIN_TOKENS and f" {joined} " in earlier)
        ):
            labels[i] = None
        seen.add(tokens)
        earlier += joined + " "
    drop_by_guide(lines, all_tokens, kinds, labels, among=(ARTICLE,))  # as the line labels do
    return "\n".join(x for x, lab in zip(lines, labels) if lab == ARTICLE)


def _between_article(labels: list[str | None], i: int) -> bool:
    before = next((x for x in reversed(labels[:i]) if x is not None), None)
    after = next((x for x in labels[i + 1 :] if x is not None), None)
    return before in (ARTICLE, TITLE) and after == ARTICLE


def build_page(page: dict[str, Any]) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Both documents of one page, and the counts of what was skipped and why."""
    skipped: Counter[str] = Counter()
    prep = prepare(page)
    if isinstance(prep, str):
        skipped[prep] += 1
        return [], skipped
    html = page["html"]
    if len(html) > MAX_HTML_CHARS:
        skipped["html_too_big"] += 1
        return [], skipped

    rendered = render_html(html, noscript=prep.noscript)
    page_lines = [r.text for r in rendered]
    page_kinds = [r.kind for r in rendered]
    page_labels = label(page_lines, prep, page_kinds)
    _apply_kinds(page_lines, page_labels, page_kinds)
    gold = guide_gold(prep.gold_out, rendered) if prep.gold_out else prep.gold_out

    docs = []
    residue = extract_residue(html)
    if residue is None:
        skipped["extract_timeout"] += 1
    else:
        if (
            prep.title
            and _stable_half(page["id"])
            and not any(matches_title(x, prep.title) for x in residue)
        ):
            residue.insert(0, _headline_text(prep.title, page_lines, page_labels))
        residue_kinds = kinds_for(residue, rendered)
        residue_labels = label(residue, prep, residue_kinds)
        _apply_kinds(residue, residue_labels, residue_kinds)
        docs.append(
            _document(page, "residue", residue, residue_labels, residue_kinds, gold, prep.gold_out)
        )
    docs.append(_document(page, "page", page_lines, page_labels, page_kinds, gold, prep.gold_out))
    kept = [d for d in docs if any(line["label"] is not None for line in d["lines"])]
    skipped["no_labeled_line"] += len(docs) - len(kept)
    return kept, skipped


def _document(
    page: dict[str, Any], shape: str, lines: list[str], labels: list[str | None],
    kinds: list[str], gold: str | None, published: str | None,
) -> dict[str, Any]:
    """One output record; `gold_published` (the dataset's own gold text) only
    where `guide_gold` changed it; each line's `kind` is its element kind
    (`RenderedLine.kind`: "list", "table", "code", "h2", ... or "")."""
    meta = page["meta"]
    doc = {
        "id": page["id"],
        "dataset": page["dataset"],
        "site": site_of(page),
        "lang": page.get("lang"),
        "shape": shape,
        "page_type": meta.get("page_type"),
        "gold": gold,
        "lines": [
            {"text": text, "label": lab, "kind": kind}
            for text, lab, kind in zip(lines, labels, kinds)
        ],
    }
    if published != gold:
        doc["gold_published"] = published
    return doc


def site_of(page: dict[str, Any]) -> str:
    """Group key for site-disjoint splits: the URL's host without "www.";
    Wayback captures name the archived host."""
    url = page.get("url") or ""
    if "web.archive.org/web/" in url:
        url = url.split("/", 5)[-1] if url.count("/") >= 5 else url
        url = url if "://" in url else "http://" + url
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.")
    meta = page["meta"]
    return host or meta.get("site") or meta.get("siteName") or page["id"]


# ----------------------------------------------------------------- running


def read_pages(path: Path, limit: int | None) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)


def _chunks(pages: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for page in pages:
        chunk.append(page)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _build_chunk(pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Counter[str]]:
    docs: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    for page in pages:
        page_docs, page_skipped = build_page(page)
        docs += page_docs
        skipped += page_skipped
    return docs, skipped


def build_dataset(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Write `<out>/<name>.jsonl.gz`; return its counts."""
    start = time.perf_counter()
    counts: dict[str, Counter[str]] = {"residue": Counter(), "page": Counter()}
    skipped: Counter[str] = Counter()
    out = args.out / f"{name}.jsonl.gz"
    tmp = out.with_suffix(".tmp")
    pages = read_pages(args.data / f"{name}.jsonl.gz", args.limit)
    with (
        gzip.open(tmp, "wt", encoding="utf-8") as f,
        Parallel(n_jobs=args.jobs, return_as="generator") as run,
    ):
        for docs, chunk_skipped in run(delayed(_build_chunk)(c) for c in _chunks(pages, 8)):
            skipped += chunk_skipped
            for doc in docs:
                f.write(json.dumps(doc, ensure_ascii=False) + "\n")
                c = counts[doc["shape"]]
                c["docs"] += 1
                c["lines"] += len(doc["lines"])
                c.update(str(line["label"]) for line in doc["lines"])
    tmp.replace(out)
    summary: dict[str, Any] = {
        "skipped": dict(skipped),
        "seconds": round(time.perf_counter() - start, 1),
    }
    for shape, c in counts.items():
        lines = max(c["lines"], 1)
        summary[shape] = {
            "docs": c["docs"],
            "lines": c["lines"],
            "shares": {
                lab: round(c[lab] / lines, 3) for lab in (ARTICLE, TITLE, BOILERPLATE, "None")
            },
        }
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    summary_path = args.out / "summary.json"
    summary: dict[str, Any] = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    start = time.perf_counter()
    for name in args.datasets:
        summary[name] = build_dataset(name, args)
        print(_format(name, summary[name]), flush=True)
    summary_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(f"done in {time.perf_counter() - start:.0f} s -> {args.out}")
    return 0


def _format(name: str, s: dict[str, Any]) -> str:
    rows = [f"{name}  ({s['seconds']} s, skipped {s['skipped']})"]
    for shape in ("residue", "page"):
        shares = "  ".join(f"{k} {v:.1%}" for k, v in s[shape]["shares"].items())
        rows.append(f"  {shape:8} docs {s[shape]['docs']:5}  lines {s[shape]['lines']:7}  {shares}")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
