"""Config: every knob of a Cleaner, documented once, frozen so it can be shared by workers."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .document import SHAPES

__all__ = ["Config", "SHAPE_CHOICES"]

#: What `Config.shape` may say: one of the input SHAPES, or "auto".
SHAPE_CHOICES = ("auto", *SHAPES)


@dataclass(frozen=True, slots=True)
class Config:
    """How a Cleaner decides and what it emits.

    >>> Config().threshold is None
    True
    >>> Config(keep_title=False).with_changes(repair=False).repair
    False
    >>> Config(shape="pages")
    Traceback (most recent call last):
    ...
    ValueError: Config.shape must be one of auto, residue, page, not 'pages'
    """

    #: Drop a line when the model's P(boilerplate) is at least this. None uses
    #: the threshold stored in the model card, tuned on held-out extractor
    #: residue for kept-article recall >= 0.98 (see the card).
    threshold: float | None = None
    #: Keep the headline (labeled `title`) in the text. `clean()` puts it on the
    #: first line; `--no-title` drops it.
    keep_title: bool = True
    #: Apply the repair layer (quotes, spacing, invisible characters) to kept lines.
    repair: bool = True
    #: Names of repairs to skip (see `declutter.repair.REPAIRS`).
    skip_repairs: tuple[str, ...] = ()
    #: Cut copyright/credit notices glued to the last paragraph and outlet tags
    #: glued to the first one.
    cut_notices: bool = True
    #: Drop a line repeated verbatim earlier in the same document.
    drop_duplicates: bool = True
    #: Drop a link to another story that carries its headline ("Read also:
    #: ...", "Читайте также: ...", "相关阅读：..."), whatever the model says:
    #: its form is boilerplate in any language (`features.teaser_lines`).
    drop_teasers: bool = True
    #: jusText's context rule on top of the learned one, in page-like
    #: documents only: a run of at most `between_max_run` kept lines with a
    #: dropped line right above and below is dropped too when each of its
    #: lines has P(boilerplate) >= this (an appeal between two "Contribute"
    #: buttons, a teaser headline inside a "Read more" block). None switches
    #: it off. Tuned with benchmarks/quality.py on held-out page text.
    between_floor: float | None = 0.5
    between_max_run: int = 1
    #: Keep a document's first line as its title when the line model alone
    #: reads it as one, even if the context stage calls it boilerplate (an
    #: old layout's empty table cells after a headline look like a header
    #: block). Not in page-like documents. `decide.first_line_titles`.
    first_line_title: bool = True
    #: Keep a short line (a list item, a table row, a schedule's "Fee: $95", a
    #: speaker's name) that kept paragraphs enclose, and a block of short
    #: lines a kept paragraph announces with a colon, and a list of records
    #: after a kept paragraph (field names such as "Document Type:" that
    #: recur), unless a line's form says boilerplate ("Read more", a credit,
    #: a domain, a copyright line): the line model reads short lines as
    #: navigation. `declutter.inner`.
    keep_inner_short: bool = True
    #: What the input is: "residue" (an extractor's output, mostly article: one
    #: threshold for every line), "page" (all the text of a web page, mostly
    #: boilerplate: the lower page threshold outside the story stretch), or
    #: "auto" (each document is judged page-like or not from its scores).
    shape: str = "auto"
    #: Clean each document to a fixed point, so that cleaning the output
    #: again changes nothing (LABELING.md): the kept lines are cleaned again
    #: until a pass keeps them all unchanged (`declutter.pipeline`). False:
    #: one pass, about half the model time on extractor residue, and a
    #: second clean may drop a few more lines.
    fixed_point: bool = True

    def __post_init__(self) -> None:
        if self.shape not in SHAPE_CHOICES:
            raise ValueError(f"Config.shape must be one of {', '.join(SHAPE_CHOICES)}, not {self.shape!r}")

    def with_changes(self, **changes: object) -> "Config":
        """A copy with some fields changed (the dataclass is frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
