"""User errors and their exit codes; the CLI turns these into one-line messages.

Exit codes are part of the interface (documented in the README):
  1 general failure, 2 bad usage or argument, 3 unknown or ambiguous reference,
  4 invalid data in a store file, 5 git failed, 6 the store is busy or changed under us.
"""
from __future__ import annotations


class DtrackError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(DtrackError):
    exit_code = 2


class NotFoundError(DtrackError):
    exit_code = 3


class DataError(DtrackError):
    exit_code = 4


class GitError(DtrackError):
    exit_code = 5


class BusyError(DtrackError):
    exit_code = 6
