"""The `declutter` command line: the filter, `batch`, and the teaching subcommands.

* `main.py`: `main(argv)` and `parse_args(argv)`, which picks the filter or a subcommand;
* `options.py`: exit statuses, validators and the options several subcommands share;
* `filter.py`: `declutter [FILE|-]`, one document;
* `batch.py`: `declutter --jsonl` and `declutter batch`, JSONL streams;
* `teach.py`: `declutter label | train | eval` (the only part that imports `declutter.teach`).
"""

from __future__ import annotations

from .main import REGISTRARS, build_command_parser, build_parser, main, parse_args, subcommands

__all__ = ["REGISTRARS", "build_command_parser", "build_parser", "main", "parse_args", "subcommands"]
