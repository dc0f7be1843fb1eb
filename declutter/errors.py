"""Errors declutter raises; the CLI turns each into one `declutter: error:` line."""

from __future__ import annotations

__all__ = ["DeclutterError", "InputError", "ModelError", "OutputError"]


class DeclutterError(Exception):
    """Base class: every error declutter raises on purpose is one of these."""


class InputError(DeclutterError):
    """The input cannot be read as text (or as the record shape asked for)."""


class ModelError(DeclutterError):
    """A model file is missing, incompatible, untrusted or corrupt."""


class OutputError(DeclutterError):
    """The output cannot be written (a full disk, an unwritable path); a closed pipe is not one."""
