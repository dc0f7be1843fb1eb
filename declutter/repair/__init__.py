"""The rule layer: repair the kept lines of a document, never rewrite them.

LABELING.md ("Repairs") is the contract. A repair may change quote marks,
invisible or odd characters and whitespace; it changes no letter and no digit.
The one deliberate exception is `mojibake`, whose whole job is to turn wrongly
decoded text back into the letters that were meant (``MoscowÃ¢â‚¬â„¢s`` ->
``Moscow’s``) and HTML entities into the character they name (``&amp;`` -> ``&``).
Text that is already clean comes out byte-for-byte the same, and repairing
twice gives the same result as repairing once.

Each repair is one small pure function ``fix(text, facts) -> text`` with a
doctest, registered by name in `REPAIRS` and applied in that order.
`repair_lines` records every step that changed a line as a `Repair`, so the
output can say which repairs applied and why a line changed. What a repair
needs to know about the whole document (its dominant quote style, its quotation
convention, its language) is computed once over all kept lines as `DocFacts`.

>>> repair_text('Russian forces”must carry out the plans already approved“, he said.')
'Russian forces “must carry out the plans already approved”, he said.'
"""

from __future__ import annotations

from .facts import DocFacts, document_facts
from .glue import glued_words
from .mojibake import mojibake
from .quotes import glued_quote, mixed_pair, reversed_pair
from .registry import REPAIRS, repair_lines, repair_text
from .spacing import invisible, space_before_punct, whitespace

__all__ = [
    "REPAIRS",
    "DocFacts",
    "document_facts",
    "glued_quote",
    "glued_words",
    "invisible",
    "mixed_pair",
    "mojibake",
    "repair_lines",
    "repair_text",
    "reversed_pair",
    "space_before_punct",
    "whitespace",
]
