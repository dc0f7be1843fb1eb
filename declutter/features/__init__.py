"""Lines -> feature matrices, for a whole batch of documents at once.

Everything here is vectorised over the batch: the lines of all documents are
joined into one string, its code points go through a character-class table,
and per-line counts come from one `np.bincount`. Per line, Python does only
a slice and one dictionary look-up per token. Context features shift these
arrays within document boundaries.

Two groups of features feed two model stages (see `declutter.model`):

* `LineFeatures.own` (dense) and `token_matrix` (sparse n-grams): what the
  line itself says -- stage 1, a context-free label;
* `context_features`: the neighbours' stage-1 scores, markers such as "Read
  more" above the line, the zone of the document it sits in -- stage 2, which
  revises the label in context (jusText's idea, learned).

Bump FEATURE_VERSION whenever a feature changes meaning: models store it and
refuse to run with another.
"""

from __future__ import annotations

from .arrays import first_to_last, in_ranges, pick, recurs_in_document, seen_before_in_document
from .context import CONTEXT_NAMES, context_features
from .forms import announces_boilerplate, is_layout_row, teaser_lines
from .lines import OWN_NAMES, LineFeatures, line_features
from .tokens import (
    BIGRAM_BUCKETS,
    Vocabulary,
    build_vocabulary,
    by_count,
    line_tokens,
    token_matrix,
)

__all__ = [
    "BIGRAM_BUCKETS",
    "CONTEXT_NAMES",
    "FEATURE_VERSION",
    "LineFeatures",
    "OWN_NAMES",
    "Vocabulary",
    "announces_boilerplate",
    "build_vocabulary",
    "first_to_last",
    "in_ranges",
    "is_layout_row",
    "by_count",
    "context_features",
    "line_features",
    "line_tokens",
    "pick",
    "recurs_in_document",
    "seen_before_in_document",
    "teaser_lines",
    "token_matrix",
]

#: Bump whenever a feature changes meaning: models store it and refuse to run with another.
FEATURE_VERSION = 3
