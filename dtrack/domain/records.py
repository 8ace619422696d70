"""The records a task keeps of its history: deadline extensions, completed occurrences of a
recurring series, a cancellation. Apart from the model so that recurrence can build an Occurrence
without importing the model that imports it (model -> recurrence -> records, no cycle)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Extension:
    """One official move of a deadline ("gia hạn"): from -> to, decided on a day, by a document."""
    to: date
    from_: date | None = None
    on: date | None = None
    by: str | None = None
    reason: str | None = None


    def as_data(self) -> dict:
        """The mapping written in the file; `from: null` says the task had no deadline before."""
        data = {"from": self.from_, "to": self.to, "on": self.on, "by": self.by, "reason": self.reason}
        return {k: v for k, v in data.items() if v is not None or k == "from"}


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One completed occurrence of a recurring task: the due it satisfied, the day it was done, and
    what belongs to that occurrence alone: the clerk's note and the reply document ("Báo cáo số ...")."""
    due: date
    done: date | None = None
    note: str | None = None
    by: str | None = None

    def as_data(self) -> dict:
        return {k: v for k, v in (("due", self.due), ("done", self.done), ("note", self.note), ("by", self.by))
                if v is not None}


@dataclass(frozen=True, slots=True)
class Cancellation:
    """Why a task was withdrawn ("hủy", "không thực hiện"): when it was recorded, by which document."""
    on: date | None = None
    by: str | None = None
    reason: str | None = None

    def as_data(self) -> dict:
        return {k: v for k, v in (("on", self.on), ("by", self.by), ("reason", self.reason)) if v is not None}


@dataclass(frozen=True, slots=True)
class Reassignment:
    """The lead handed to other agencies ("chuyển giao nhiệm vụ"): from -> to, on a day, by a document."""
    to: tuple[str, ...]
    from_: tuple[str, ...] = ()
    on: date | None = None
    by: str | None = None
    reason: str | None = None

    def as_data(self) -> dict:
        data = {"from": list(self.from_), "to": list(self.to), "on": self.on, "by": self.by, "reason": self.reason}
        return {k: v for k, v in data.items() if v is not None}
