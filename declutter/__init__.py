"""declutter: strip boilerplate lines and repair noise in scraped news text.

>>> import declutter
>>> print(declutter.clean("Photo: AP\\n\\n"
...     "The council met on Monday and agreed to extend the ceasefire for another week, officials said.\\n\\n"
...     "The vote passed with a large majority after a long debate in the chamber on Sunday night.\\n\\n"
...     "Read more\\n\\nShare this article\\n"))
The council met on Monday and agreed to extend the ceasefire for another week, officials said.
<BLANKLINE>
The vote passed with a large majority after a long debate in the chamber on Sunday night.
<BLANKLINE>

Where things live:

* the cleaning core: `config.py` (Config), `errors.py`, `document.py` (text ->
  Document, Line, Result), `features/` (lines -> feature matrices),
  `decide.py` (scores -> labels and reasons), `cuts.py`, `finish.py` (a pass's
  cuts and repairs), `windows.py` (huge documents scored in windows),
  `pipeline.py` (Cleaner, to a fixed point);
* `model/`: the line classifier, its card and files, the tree engines;
  the shipped model's files are in `models/`;
* `repair/`: the rule layer, one small function per repair, registered by name;
* `io/`: decoding, HTML rendering, JSONL batches, labeled files;
* `cli/`: the `declutter` command;
* `teach/`: labels, training, extension and evaluation (the cleaning side never imports it).
"""

from __future__ import annotations

from functools import lru_cache

from .config import Config
from .document import Line, Repair, Result
from .errors import DeclutterError, InputError, ModelError
from .pipeline import Cleaner

__all__ = [
    "clean",
    "clean_and_explain",
    "Cleaner",
    "Config",
    "Line",
    "Repair",
    "Result",
    "DeclutterError",
    "InputError",
    "ModelError",
    "__version__",
]

__version__ = "0.1.0"


@lru_cache(maxsize=8)
def _cleaner(config: Config) -> Cleaner:
    return Cleaner(config)


def clean(text: str, config: Config | None = None) -> str:
    """The article text of `text`, repaired, with the default model."""
    return _cleaner(config or Config()).clean(text)


def clean_and_explain(text: str, config: Config | None = None) -> Result:
    """Like `clean`, plus every line's score, label and reason and every repair."""
    return _cleaner(config or Config()).explain(text)
