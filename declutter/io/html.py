"""HTML -> the text lines a browser shows, one per block element.

Training pages come as HTML, but declutter classifies plain-text lines. This
module renders a page the way a reader sees it, so the "page" lines used in
training look like a copy-paste of the whole page: invisible parts (head,
scripts, styles, templates, hidden elements) are dropped, every block element
starts a new line, inline elements join, whitespace collapses.

It walks the lexbor tree once (no per-element CSS queries), so a 400 KB page
renders in a few milliseconds.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..inputs import as_text

__all__ = ["RenderedLine", "extract_title", "html_to_lines", "page_titles", "render_html"]

# Elements whose content a browser does not show (or shows as a widget, not text).
# fmt: off
_INVISIBLE = frozenset(
    {
        "head", "title", "script", "style", "noscript", "template", "svg", "math", "iframe",
        "object", "embed", "canvas", "select", "datalist", "textarea", "audio", "video", "map",
        "area", "frameset", "noframes", "noembed", "-comment"
    }
)
# fmt: on
# Elements with a block-level (or table/list-item) default display: each one
# starts and ends a line. Table cells are blocks too: old layout tables put
# the article and the menu side by side in cells, which must not share a line.
# fmt: off
_BLOCK = frozenset(
    {
        "html", "body", "address", "article", "aside", "blockquote", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "frame", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li",
        "listing", "main", "menu", "nav", "ol", "optgroup", "option", "p", "plaintext", "pre",
        "search", "section", "summary", "table", "caption", "thead", "tbody", "tfoot", "tr", "td",
        "th", "ul", "xmp", "button", "br"
    }
)
# fmt: on
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Structure inside a text (LABELING: list items, table rows, code are article
# however short): the kind of a line inside these elements, so labels and
# benchmarks can tell a list, table or code line from prose. <code> alone is
# not here: inline code sits in prose paragraphs.
_STRUCTURE = {
    "li": "list", "dt": "list", "dd": "list",
    "td": "table", "th": "table", "caption": "table",
    "pre": "code", "xmp": "code", "listing": "code", "plaintext": "code",
}
_STRUCTURE_KINDS = frozenset(_STRUCTURE.values())
# Container kinds that win over any element inside them.
_STICKY = frozenset({"caption", "references"})
# Hidden by the page itself: the `hidden` attribute, inline display:none and
# the usual screen-reader-only classes. aria-hidden is NOT here: it hides from
# assistive technology only, the text stays on screen.
_HIDDEN_CSS = (
    "[hidden], [style*='display:none'], [style*='display: none'], "
    "[style*='visibility:hidden'], [style*='visibility: hidden'], "
    ".sr-only, .visually-hidden, .screen-reader-text, input"
)
# Image captions and credits (LABELING: captions are boilerplate). Class names
# are matched as whole words or with an image prefix: a substring "caption"
# also names buttons ("btn__caption"), font sizes and pull-quote attributions.
_CAPTION_CSS = (
    "figure:has(img, picture, video) > figcaption, .caption, .wp-caption-text, .image-caption, "
    ".photo-caption, .img-caption, .media-caption, .figure-caption, .credit, .photo-credit, "
    ".image-credit, [class*='imageCredit'], [class*='photoCredit'], [class*='media__caption'], "
    "[class*='media__credit'], [id^='caption-attachment']"
)
# Lists of cited works (Wikipedia's and MediaWiki's reference lists): titles of
# other documents with their links, boilerplate by LABELING.md's "links to
# other stories" (wcxb_dev's gold drops them, readability's keeps them).
_REFERENCES_CSS = "ol.references, .reflist, .mw-references-wrap, .refbegin"
_WS = re.compile(r"[ \t\n\r\f\v]+")


class RenderedLine(NamedTuple):
    """One rendered line and where it came from: `kind` is "h1".."h6" for a
    heading, "caption" for a caption/credit container, "references" for a
    list of cited works, "list" / "table" / "code" for a list item, a table
    cell and a line of a <pre> block, "" otherwise."""

    text: str
    kind: str = ""


def render_html(html: str, *, noscript: bool = False, containers: bool = True) -> list[RenderedLine]:
    """All visible text of `html` as lines, with a hint of the element kind.

    `noscript=True` renders `<noscript>` content, as a crawler without
    JavaScript sees it (forum threads that put their posts only there).
    `containers=False` skips the caption and reference-list queries (a
    quarter of the rendering time) and the list/table/code kinds, for
    callers that only want the text.

    >>> render_html("<h1>Big <b>news</b></h1><figure><img src=a.jpg><figcaption>Photo: AP</figcaption></figure>")
    [RenderedLine(text='Big news', kind='h1'), RenderedLine(text='Photo: AP', kind='caption')]
    >>> render_html("<ul><li>Eggs</li></ul><table><tr><td>Bluetooth</td></tr></table><pre>x = 1\\n}</pre>")
    [RenderedLine(text='Eggs', kind='list'), RenderedLine(text='Bluetooth', kind='table'), RenderedLine(text='x = 1', kind='code'), RenderedLine(text='}', kind='code')]
    """
    tree = LexborHTMLParser(_cap_nesting(as_text(html, what="render_html()")))  # lexbor drops lone surrogates
    for node in tree.css(_HIDDEN_CSS):
        node.decompose()
    marked: dict[int, str] = {}
    if containers:
        marked.update((node.mem_id, "references") for node in tree.css(_REFERENCES_CSS))
        marked.update((node.mem_id, "caption") for node in tree.css(_CAPTION_CSS))
    skip = _INVISIBLE - {"noscript"} if noscript else _INVISIBLE
    structure = _STRUCTURE if containers else {}
    return _walk(tree.root, skip, marked, structure) if tree.root is not None else []


#: No page a person reads nests elements this deep; lexbor's tree builder is quadratic in depth.
MAX_DEPTH = 256
#: Pages with fewer tags than this cannot nest past MAX_DEPTH enough to hurt,
#: and are not scanned at all (the scan is Python, one step per tag).
_SCAN_ABOVE_TAGS = 20_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)


def _cap_nesting(html: str) -> str:
    """Drop the tags (not the text) of elements nested deeper than MAX_DEPTH.

    >>> _cap_nesting("<div>" * 3 + "x" + "</div>" * 3) == "<div>" * 3 + "x" + "</div>" * 3
    True
    """
    if html.count("<") <= _SCAN_ABOVE_TAGS:
        return html
    depth, last, pieces = 0, 0, []
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _VOID:
            continue
        if closing:
            depth -= 1
            drop = depth >= MAX_DEPTH
        else:
            drop = depth >= MAX_DEPTH
            depth += 1
        if drop:
            pieces.append(html[last : match.start()])
            last = match.end()
    if not pieces:
        return html
    pieces.append(html[last:])
    return "".join(pieces)


def html_to_lines(html: str, *, noscript: bool = False) -> list[str]:
    """All visible text of `html`, one line per block element, no empty lines.

    >>> html_to_lines(
    ...     "<html><head><title>T</title><script>x=1</script></head><body>"
    ...     "<nav><a href=/>Home</a> <a href=/news>News</a></nav>"
    ...     "<p>First   <b>bold</b> para<br>after break</p><div>Second</div></body></html>"
    ... )
    ['Home News', 'First bold para', 'after break', 'Second']
    """
    return [line.text for line in render_html(html, noscript=noscript, containers=False)]


def extract_title(html: str) -> str | None:
    """The page's own headline: og:title, else twitter:title, else <title>.

    >>> extract_title('<head><meta property="og:title" content=" A  story "><title>A story | Site</title></head>')
    'A story'
    """
    titles = page_titles(html)
    return titles[0] if titles else None


def page_titles(html: str) -> list[str]:
    """Every title the page declares (og:title, twitter:title, <title>), in that
    order, without repeats: sites shorten one and prefix another ("BBC News - ...")."""
    tree = LexborHTMLParser(html)
    found: list[str] = []
    for query in ('meta[property="og:title"]', 'meta[name="twitter:title"]'):
        node = tree.css_first(query)
        found.append((node.attributes.get("content") or "") if node is not None else "")
    node = tree.css_first("title")
    found.append(node.text() if node is not None else "")
    titles = [_WS.sub(" ", t).strip() for t in found]
    return [t for i, t in enumerate(titles) if t and t not in titles[:i]]


def _rank(kind: str) -> int:
    return 0 if not kind else 1 if kind in _STRUCTURE_KINDS else 2


class _Lines:
    """Accumulates inline text pieces and cuts them into lines at block edges."""

    def __init__(self) -> None:
        self.out: list[RenderedLine] = []
        self.parts: list[str] = []
        self.kind = ""

    def add(self, text: str, kind: str) -> None:
        # a line takes its first piece's kind, unless a later piece says more:
        # any kind beats none, a heading or caption beats list/table/code
        if not self.parts or _rank(kind) > _rank(self.kind):
            self.kind = kind
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            text = _WS.sub(" ", "".join(self.parts)).strip()
            if text:
                self.out.append(RenderedLine(text, self.kind))
            self.parts = []
            self.kind = ""


def _walk(
    root: LexborNode, skip: frozenset[str], marked: dict[int, str], structure: dict[str, str]
) -> list[RenderedLine]:
    """Depth-first walk with explicit enter/leave events (no recursion: old
    pages nest unclosed tags thousands deep); `marked` maps an element's
    mem_id to the kind of everything inside it, `structure` a tag to the
    kind of its content (innermost wins, under a caption or reference list)."""
    lines = _Lines()
    kinds: list[str] = [""]  # innermost element kind, one entry per open element
    pre = 0  # depth of open <pre> elements: their newlines are line breaks
    node: LexborNode | None = root.child
    while node is not None:
        tag = node.tag
        descend = False
        if tag == "-text":
            text = node.text_content
            if text:
                if pre:
                    first, *rest = text.split("\n")
                    lines.add(first, kinds[-1])
                    for piece in rest:
                        lines.flush()
                        lines.add(piece, kinds[-1])
                else:
                    lines.add(text, kinds[-1])
        elif tag not in skip and tag is not None and not tag.startswith("-"):
            if tag in _BLOCK:
                lines.flush()
            if node.child is not None:
                descend = True
                kind = kinds[-1]
                if tag in _HEADINGS:
                    kind = tag
                elif node.mem_id in marked:
                    kind = marked[node.mem_id]
                elif tag in structure and kind not in _STICKY:
                    kind = structure[tag]
                kinds.append(kind)
                pre += tag == "pre"
        if descend:
            node = node.child
            continue
        # leave finished elements until one has a next sibling
        while node is not None and node.next is None:
            node = node.parent
            if node is None or node.mem_id == root.mem_id:
                node = None
                break
            kinds.pop()
            if node.tag == "pre":
                pre -= 1
            if node.tag in _BLOCK:
                lines.flush()
        if node is not None:
            if node.tag in _BLOCK:
                lines.flush()
            node = node.next
    lines.flush()
    return lines.out
