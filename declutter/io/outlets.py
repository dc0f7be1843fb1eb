"""A batch's first pass: which long lines each outlet repeats, learned from the batch itself.

A site's banners, appeals and teaser lines come back page after page; its
article sentences almost never do. CCNet removes such lines by counting
normalised line hashes over a crawl shard; `declutter batch --outlet-memory`
does the same before cleaning: it reads its inputs once, counts in how many
documents of each outlet every long line occurs (`OutletMemory.from_documents`
without labels), and cleans with that memory added to the model. The outlet
of a record is its `--outlet-field`, else the host of its "url" field; records
with neither count as one outlet. The memory is as good as the batch is
large: a site with fewer than three documents in it teaches nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..model.outlet import OutletMemory
from ..sites import site_of
from .chunks import read_chunks
from .records import BatchOptions
from .textio import open_input
from .workers import parse_record, prepare

__all__ = ["memory_from_inputs", "outlet_of"]

#: Where a record's outlet is read when no --outlet-field is given: the host of this field.
URL_FIELD = "url"


def outlet_of(record: dict[str, Any], outlet_field: str | None = None) -> str:
    """The record's outlet: `outlet_field`'s value, else its URL's site (`sites.site_of`), else "".

    >>> outlet_of({"url": "https://www.themoscowtimes.com/2022/03/01/a"})
    'themoscowtimes.com'
    >>> outlet_of({"site": "MT", "url": "https://x.org/"}, "site"), outlet_of({"text": "..."})
    ('MT', '')
    """
    if outlet_field is not None:
        value = record.get(outlet_field)
        return value if isinstance(value, str) else ""
    url = record.get(URL_FIELD)
    return (site_of(url) if isinstance(url, str) else None) or ""


def memory_from_inputs(names: Sequence[str], options: BatchOptions, outlet_field: str | None = None) -> tuple[OutletMemory, int]:
    """The memory of the JSONL files `names` (read once, here), and how many documents it counted.

    Records the batch would not clean (not JSON, no text field, over
    --max-chars) are skipped: the cleaning pass reports them.
    """
    documents = 0

    def counted() -> Iterator[tuple[str, Sequence[str], None]]:
        nonlocal documents
        for record, text in _records(names, options):
            documents += 1
            yield outlet_of(record, outlet_field), [line.text for line in prepare(text, options).lines], None

    return OutletMemory.from_documents(counted(), labeled=False), documents


def _records(names: Sequence[str], options: BatchOptions) -> Iterator[tuple[dict[str, Any], str]]:
    """The records the cleaning pass will clean, read the way it reads them (oversized lines
    spooled, not held)."""
    streams = [open_input(name) for name in names]
    try:
        for chunk in read_chunks(zip(names, streams), max_line_bytes=options.max_line_bytes):
            for spool in chunk.spools.values():
                spool[0].close()
            for raw in chunk.raws:
                if raw is None:
                    continue
                record, text, _, _ = parse_record(raw, options)  # a record with a problem has no text
                if record is not None and text is not None:
                    yield record, text
    finally:
        for stream in streams:
            stream.close()
