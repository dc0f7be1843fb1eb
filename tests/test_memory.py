"""Memory grows with the document at about 10 bytes a byte of input (README: huge documents).

A document of a million short lines took 1.7 GB when the model's per-line
intermediates were made for the whole document at once. What a test can
check quickly and without a noisy RSS reading: tracemalloc's peak for
two documents of the same kind, 3x apart in size, both scored in several
model calls.
The difference between the peaks over the difference between the inputs is
what each further byte of input costs; the fixed costs (the model, one
call's intermediates) cancel out. The full-size RSS figures come from
`python benchmarks/throughput.py --memory-only`.
"""

from __future__ import annotations

import random
import tracemalloc

from declutter import Cleaner, Config
from declutter.document import split_document
from declutter.windows import CALL_LINES

_WORDS = "the council met on monday and agreed to extend the ceasefire officials said home news read more share this".split()


def _short_lines(n: int) -> str:
    rng = random.Random(22)
    return "\n".join(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 5))) for _ in range(n)) + "\n"


def _peak_bytes(cleaner: Cleaner, text: str) -> int:
    tracemalloc.start()
    try:
        doc = split_document(text)
        del text
        cleaner.summarize_documents([doc])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_document_of_many_short_lines_costs_about_ten_bytes_a_byte():
    # One pass: later passes of the fixed point were measured to add nothing to
    # the slope, and take most of the time.
    cleaner = Cleaner(Config(fixed_point=False))
    cleaner.clean("Warm up: load the model before measuring.\n")
    small, large = _short_lines(int(1.5 * CALL_LINES)), _short_lines(int(4.5 * CALL_LINES))
    per_byte = (_peak_bytes(cleaner, large) - _peak_bytes(cleaner, small)) / (len(large) - len(small))
    assert per_byte <= 10, f"each further byte of input costs {per_byte:.1f} bytes at the peak"
