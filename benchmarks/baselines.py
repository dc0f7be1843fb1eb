"""The peers declutter is compared with, as line-level keep/drop decisions.

Every baseline takes a document's lines and returns one `Decision` per line:
kept or not, and when dropped a short snake_case reason (datatrove's habit:
a removal reason is data, and the benchmark counts them). The output text
of a baseline is its kept lines joined by "\\n" (`kept_text`).

* `keep_all`  -- no cleaning: the floor every cleaner must beat.
* `c4_rules`  -- the line filters of the C4 cleaner (Raffel et al. 2020,
  JMLR 21(140), section 2.2), with the defaults of datatrove's
  `C4QualityFilter` (`datatrove/pipeline/filters/c4_filters.py`). Document
  level filters are not applied: we compare line decisions.
* `justext_rules` -- jusText 3 (Pomikálek 2011) with its default parameters
  on an HTML page built from the lines, one `<p>` per line.
* `guide_labels` -- not a peer but a yardstick: the benchmark's own labels
  (LABELING.md) as a cleaner. Scored against each set's published gold, it
  shows which targets a cleaner that follows the guide exactly can meet.

>>> [d.kept for d in c4_rules(["Read more", "The council met on Monday and agreed to extend it."])]
[False, True]
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "JUSTEXT_LANGUAGES",
    "Decision",
    "c4_line",
    "c4_rules",
    "guide_labels",
    "justext_rules",
    "justext_stoplist_name",
    "keep_all",
    "kept_text",
]


@dataclass(frozen=True, slots=True)
class Decision:
    """One line's fate under a baseline: kept, or dropped for `reason`."""

    kept: bool
    reason: str | None = None  # None when kept


KEEP = Decision(True)


def kept_text(lines: Sequence[str], decisions: Sequence[Decision]) -> str:
    """The baseline's output: kept lines joined by "\\n".

    >>> kept_text(["a", "b", "c"], [KEEP, Decision(False, "x"), KEEP])
    'a\\nc'
    """
    return "\n".join(line for line, d in zip(lines, decisions) if d.kept)


def guide_labels(labels: Sequence[str | None]) -> list[Decision]:
    """LABELING.md followed exactly: a line labelled boilerplate is dropped, every other line kept
    (an unlabelled line too: when in doubt, keep).

    >>> [d.kept for d in guide_labels(["article", "boilerplate", None, "title"])]
    [True, False, True, True]
    """
    return [Decision(False, "labeled_boilerplate") if label == "boilerplate" else KEEP for label in labels]


def keep_all(lines: Sequence[str]) -> list[Decision]:
    """No cleaning: every line is kept.

    >>> keep_all(["Read more", "Body."]) == [KEEP, KEEP]
    True
    """
    return [KEEP] * len(lines)


# --- C4 -------------------------------------------------------------------------------

# datatrove C4QualityFilter defaults (datatrove 0.x, c4_filters.py):
#   END_PUNCTUATION = (".", "?", "!", '"', "'"), a line ending in "..." is dropped,
#   min_words_per_line=3, max_word_length=1000, remove_citations=True,
#   filter_javascript / filter_policy (line level),
#   filter_lorem_ipsum / filter_curly_bracket (page level in C4: see c4_line).
# C4's own reference (tensorflow_datasets c4_utils) ends lines in . ? ! " only;
# datatrove adds "'". We add the Unicode and CJK forms of the same marks, so a
# line closed by a typographic quote (” ’ » «, German “) or by 。！？ is not
# dropped for its typography: the rule is about sentences, not about ASCII.
C4_END_PUNCTUATION = (
    ".", "?", "!", '"', "'",  # datatrove
    "\u201d", "\u2019", "\u201c", "\u00bb", "\u00ab",  # ” ’ “ » «
    "\u3002", "\uff01", "\uff1f", "\uff0e", "\uff61", "\u300d", "\u300f",  # 。！？．｡」』
    "\u061f", "\u0964",  # Arabic question mark, Devanagari danda
)
C4_ELLIPSIS = ("...", "\u2026")  # a trailing ellipsis is not a sentence end
C4_MIN_WORDS = 3
C4_MAX_WORD_LENGTH = 1000
C4_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
C4_POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)


def c4_line(line: str) -> Decision:
    """C4's verdict on one line, checks in datatrove's order (the first failing one is the reason).

    C4 drops the whole page when a line holds "lorem ipsum" or "{"; with page
    filters off, we drop just that line.

    >>> c4_line("He said it was over.")
    Decision(kept=True, reason=None)
    >>> c4_line("Read more").reason
    'no_terminal_punct'
    >>> c4_line("It rained.").reason
    'too_few_words'
    >>> c4_line("Please enable JavaScript to view the comments.").reason
    'javascript'
    >>> c4_line("By using this site you agree to our Terms of Use.").reason
    'policy'
    >>> c4_line("Er sagte: „Das ist vorbei.“").kept
    True
    """
    line = line.strip()
    words = line.split()
    if any(len(w) > C4_MAX_WORD_LENGTH for w in words):
        return Decision(False, "too_long_word")
    line = C4_CITATION.sub("", line)
    if not line.endswith(C4_END_PUNCTUATION) or line.endswith(C4_ELLIPSIS):
        return Decision(False, "no_terminal_punct")
    if len(words) < C4_MIN_WORDS:
        return Decision(False, "too_few_words")
    lowered = line.lower()
    if "lorem ipsum" in lowered:
        return Decision(False, "lorem_ipsum")
    if "javascript" in lowered:
        return Decision(False, "javascript")
    if "{" in line:
        return Decision(False, "curly_bracket")
    if any(p in lowered for p in C4_POLICY_SUBSTRINGS):
        return Decision(False, "policy")
    return KEEP


def c4_rules(lines: Sequence[str]) -> list[Decision]:
    """C4's line filters on every line (no page-level filters)."""
    return [c4_line(line) for line in lines]


# --- jusText ---------------------------------------------------------------------------

# ISO 639-1 codes (the `lang` field of build_lines) -> jusText stoplist names.
# Only languages jusText ships a stoplist for; anything else falls back to English.
JUSTEXT_LANGUAGES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ka": "Georgian", "kk": "Kazakh",
    "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian",
    "ml": "Malayalam", "mr": "Marathi", "ms": "Malay", "nb": "Norwegian_Bokmal",
    "nl": "Dutch", "nn": "Norwegian_Nynorsk", "no": "Norwegian_Bokmal", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese",
}
_JUSTEXT_FALLBACK = "English"
# Characters lxml refuses in text (C0 controls other than tab/newline/CR).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_P_XPATH = re.compile(r"^/html\[1\]/body\[1\]/p\[(\d+)\]$")
_SPACE = re.compile(r"\s+")


def justext_stoplist_name(lang: str | None) -> tuple[str, bool]:
    """The jusText stoplist for an ISO 639-1 code, and whether it is a fallback to English.

    >>> justext_stoplist_name("de"), justext_stoplist_name("zh"), justext_stoplist_name(None)
    (('German', False), ('English', True), ('English', True))
    """
    name = JUSTEXT_LANGUAGES.get((lang or "").lower())
    return (name, False) if name else (_JUSTEXT_FALLBACK, True)


def _stoplist(name: str) -> frozenset[str]:
    import justext

    cached = _STOPLISTS.get(name)
    if cached is None:
        try:
            cached = frozenset(justext.get_stoplist(name))
        except ValueError:  # no such stoplist in this jusText
            cached = frozenset(justext.get_stoplist(_JUSTEXT_FALLBACK))
        _STOPLISTS[name] = cached
    return cached


_STOPLISTS: dict[str, frozenset[str]] = {}


def _norm(text: str) -> str:
    return _SPACE.sub(" ", _XML_INVALID.sub("", text)).strip()


def lines_to_html(lines: Sequence[str]) -> str:
    """A page with one `<p>` per line, text escaped: jusText's paragraph i is line i.

    >>> lines_to_html(["a < b", "x"])
    '<html><body>\\n<p>a &lt; b</p>\\n<p>x</p>\\n</body></html>'
    """
    body = "\n".join(f"<p>{html.escape(_XML_INVALID.sub('', line), quote=False)}</p>" for line in lines)
    return f"<html><body>\n{body}\n</body></html>"


def justext_rules(lines: Sequence[str], lang: str | None = None, stats: dict[str, int] | None = None) -> list[Decision]:
    """jusText's verdict per line: kept when its paragraph is not boilerplate.

    Paragraphs are mapped back to lines by their XPath (`/html[1]/body[1]/p[k]`
    is line k-1) and checked by text; a paragraph that does not map that way
    (lxml rewrote the tree) is matched by text to the next unmapped line. A
    line with no paragraph (blank, or only characters lxml drops) is dropped
    with reason `justext_no_paragraph`. `stats` counts how lines were mapped.

    >>> body = ("The council met on Monday and agreed to extend the ceasefire for another week, after "
    ...         "talks that lasted well into the night, officials said. The opposition said it would "
    ...         "study the terms of the deal before it gave its answer.")
    >>> [d.reason for d in justext_rules(["Home", "News", body], "en")]
    ['justext_bad', 'justext_bad', None]
    """
    import justext

    if not lines:
        return []
    name, fallback = justext_stoplist_name(lang)
    paragraphs = justext.justext(lines_to_html(lines), _stoplist(name))
    normalized = [_norm(line) for line in lines]
    owner: list[object | None] = [None] * len(lines)
    unmapped = []
    for par in paragraphs:
        m = _P_XPATH.match(par.xpath)
        i = int(m.group(1)) - 1 if m else -1
        if 0 <= i < len(lines) and owner[i] is None and normalized[i] == par.text:
            owner[i] = par
        else:
            unmapped.append(par)
    by_text = 0
    if unmapped:  # never seen with one <p> per line; kept as a safety net
        start = 0
        for par in unmapped:
            for i in range(start, len(lines)):
                if owner[i] is None and normalized[i] == par.text:
                    owner[i], start = par, i + 1
                    by_text += 1
                    break
    if stats is not None:
        stats["lines"] = stats.get("lines", 0) + len(lines)
        stats["mapped_by_xpath"] = stats.get("mapped_by_xpath", 0) + sum(o is not None for o in owner) - by_text
        stats["mapped_by_text"] = stats.get("mapped_by_text", 0) + by_text
        stats["no_paragraph"] = stats.get("no_paragraph", 0) + sum(o is None for o in owner)
        stats["stoplist_fallback_docs"] = stats.get("stoplist_fallback_docs", 0) + int(fallback)
    out = []
    for par in owner:
        if par is None:
            out.append(Decision(False, "justext_no_paragraph"))
        elif par.is_boilerplate:  # type: ignore[attr-defined]
            out.append(Decision(False, f"justext_{par.class_type}"))  # type: ignore[attr-defined]
        else:
            out.append(KEEP)
    return out
