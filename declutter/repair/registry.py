"""The registry of repairs by name, in the order they run, and `repair_lines`, which runs them over a document."""

from __future__ import annotations

from collections.abc import Callable, Collection

from ..document import Repair
from ..errors import DeclutterError
from .chardata import CLOSE_CURLY, LOW_CURLY, OPEN_CURLY
from .facts import DEFAULT_FACTS, DocFacts, count_facts
from .glue import glued_words
from .mojibake import mojibake, mojibake_clue
from .quotes import glued_quote, mixed_pair, reversed_pair
from .spacing import invisible, space_before_punct, whitespace

__all__ = ["MAX_ROUNDS", "REPAIRS", "Fix", "needs_repair", "repair_lines", "repair_text"]

#: A fixed point is normally reached in one round (a second round confirms it);
#: more rounds are needed only when one repair exposes work for an earlier one,
#: e.g. removing a zero-width space from the middle of a mojibake sequence.
MAX_ROUNDS = 4


def needs_repair(line: str) -> bool:
    """The per-line gate: False means no repair would change this line.

    Most lines need nothing, so this is the hot path. It uses C-speed string
    tests only, plus one regex for non-ASCII lines. It must say True for
    everything any repair's own precheck accepts (a property test checks this).
    `isprintable()` is False for controls, tabs and every no-break, zero-width
    and format character.
    """
    if not line:
        return False
    if (
        not line.isprintable()
        or '"' in line
        or "&" in line
        or line[-1] == " "
        or " ," in line
        or " ." in line
        or " )" in line
    ):
        return True
    if line.isascii():
        return False
    # A printable line without "&" leaves `may_need_ftfy` only its clue test.
    return OPEN_CURLY in line or CLOSE_CURLY in line or LOW_CURLY in line or mojibake_clue(line)


Fix = Callable[[str, DocFacts], str]

#: Every repair by name, in the order they are applied.
REPAIRS: dict[str, Fix] = {
    "mojibake": mojibake,
    "invisible": invisible,
    "reversed_pair": reversed_pair,
    "glued_quote": glued_quote,
    "mixed_pair": mixed_pair,
    "space_before_punct": space_before_punct,
    "glued_words": glued_words,
    "whitespace": whitespace,
}

# Repairs that read DocFacts. The facts are counted just before the first of
# them runs, so they see the text after mojibake and entities are undone.
_READS_FACTS = frozenset({"reversed_pair", "glued_quote", "mixed_pair", "glued_words"})
# The repairs that read `DocFacts.lines`: the others read only their own line
# and the style, convention and language of the document.
_READS_LINES = frozenset({"glued_words"})


def repair_lines(
    lines: list[str], skip: Collection[str] = (), *, lang: str = "en"
) -> tuple[list[str], list[Repair]]:
    """Repair the kept lines of ONE document.

    Document-level facts such as the dominant quote style are computed over all
    of the lines. Returns the new lines and one `Repair(line, name, before,
    after)` per repair that changed a line, `line` being an index into `lines`.

    >>> new, repairs = repair_lines(["Lugansk region.\\u00a0", "Clean line."])
    >>> new
    ['Lugansk region.', 'Clean line.']
    >>> [(r.line, r.name) for r in repairs]
    [(0, 'invisible'), (0, 'whitespace')]
    """
    unknown = set(skip) - REPAIRS.keys()
    if unknown:
        raise DeclutterError(
            f"unknown repair(s) {', '.join(sorted(unknown))}; choose from: {', '.join(REPAIRS)}"
        )
    steps = [(name, fix) for name, fix in REPAIRS.items() if name not in skip]
    # Two phases: the repairs before the first one that reads DocFacts run over
    # every line, then the facts are counted, then the rest run line by line
    # (so the quote repairs share one cached `marks_of` per line).
    first_reader = next(
        (k for k, (name, _) in enumerate(steps) if name in _READS_FACTS), len(steps)
    )
    phases = [steps[:first_reader], steps[first_reader:]]
    # The first step that reads the other lines of the document
    # (`DocFacts.lines`); it reads the facts too, so it is in phase 1.
    first_lines_reader = next(
        (k for k, (name, _) in enumerate(steps) if name in _READS_LINES), len(steps)
    )
    out = list(lines)
    todo = [i for i, line in enumerate(out) if needs_repair(line)]
    repairs: list[Repair] = []
    # Lines no step changed in the last round. Given the same text, a step
    # gives the same answer again, unless what it reads of the document
    # changed; so such a line skips phase 0, and in phase 1 runs only the steps
    # from the first one that reads the other lines (which did change), or all
    # of phase 1 if the facts the quote repairs read changed.
    settled: set[int] = set()
    last_facts: DocFacts | None = None
    # Lines outside `todo` hold nothing any repair acts on, quote marks
    # included, so neither they nor the facts they add to can change anything.
    for _ in range(MAX_ROUNDS if todo else 0):
        changed = False
        facts = DEFAULT_FACTS
        count = len(repairs)
        for phase_number, phase in enumerate(phases):
            if phase_number == 1 and phase:
                facts = count_facts((out[i] for i in todo), tuple(out), lang)
            if phase_number == 0:
                again: list[tuple[str, Fix]] = []
            elif facts == last_facts:
                again = steps[first_lines_reader:]
            else:
                again = phase
            for i in todo:
                text = _apply(again if i in settled else phase, i, out[i], facts, repairs)
                if text != out[i]:
                    out[i] = text
                    changed = True
        if not changed:
            break
        settled = set(todo).difference(repair.line for repair in repairs[count:])
        last_facts = facts
    return out, repairs


def _apply(
    steps: list[tuple[str, Fix]], i: int, text: str, facts: DocFacts, repairs: list[Repair]
) -> str:
    """Run `steps` over line `i`, recording each one that changes it."""
    for name, fix in steps:
        fixed = fix(text, facts)
        if fixed != text:
            repairs.append(Repair(line=i, name=name, before=text, after=fixed))
            text = fixed
    return text


def repair_text(text: str, skip: Collection[str] = ()) -> str:
    """Repair a string as one document, line by line.

    >>> repair_text('"It hurts a lot, but it’s not losing the war,” he said.')
    '“It hurts a lot, but it’s not losing the war,” he said.'
    >>> repair_text("Lugansk region.\\u00a0\\nMore ,text here")
    'Lugansk region.\\nMore ,text here'
    """
    lines, _ = repair_lines(text.split("\n"), skip)
    return "\n".join(lines)
