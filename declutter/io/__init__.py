"""Getting text in and out: bytes to text, HTML to lines, JSONL streams at scale, labeled files.

* `textio.py`: decoding bytes at the edges, HTML detection, input and atomic output files;
* `html.py`: an HTML page rendered to the text lines a reader sees;
* `jsonl.py`: fast, lossless JSON lines (orjson, with the standard library as fallback);
* `batch.py`: `run_batch` and `clean_records`, JSONL records cleaned in chunks, in order;
  `chunks.py` reads them, `workers.py` cleans a chunk, `parallel.py` runs chunks on
  joblib or Dask, `stats.py` counts;
* `labeled.py`, `marked.py`, `labeled_files.py`: labeled documents as JSONL and as
  marked text, the files `declutter label` writes and `declutter train` reads.
"""
