"""七.7 of the notice: 连续两次不参与项目组活动视为退出 — two activities of the project group in a row
without taking part count as withdrawal.

Pure Python, no Django inside (like review/assignment.py), so the rule can be tested on sequences
by hand and by property. The caller (programme.exits) passes the outcomes of the closed
activities a 实验校 was invited to, in the order they took place, and acts on the answer.

How each outcome counts (the notice's 不参与 is "did not take part"):

- ATTENDED (参加, checked in): the school took part. It ends any run: the count starts again.
- ABSENT (neither attended nor had leave accepted; a refused leave request is an absence): one
  absence. Two in a row propose 视为退出.
- EXCUSED (leave requested and accepted by the project group): not an absence — the project group
  excused the school from that activity, as if it had not been asked. It is skipped: it neither
  counts nor breaks a run. So absent, excused, absent is two absences in a row (the school did not
  take part in any of the three, and leave cannot be used to dodge the rule), while absent, excused,
  attended ends the run. Only taking part resets the count.
- An activity that does not count for 七.7 (counts=False) is skipped the same way, whatever its outcome.

A run begins after the last attendance, or after `since` (the record that ended the pair a staff
review already dealt with: the caller passes it so the same absences never count twice).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum

__all__ = ["ABSENCES_FOR_EXIT", "Outcome", "Record", "Assessment", "assess", "consecutive_absences", "exit_proposal"]

# 连续两次: the length of the run of absences that proposes 视为退出.
ABSENCES_FOR_EXIT = 2


class Outcome(str, Enum):
    ATTENDED = "attended"
    EXCUSED = "excused"
    ABSENT = "absent"


@dataclass(frozen=True)
class Record:
    """The outcome of one closed activity for one school. `key` names it for the caller (an
    invitation id); `counts` is the activity's counts_for_attendance."""

    key: Hashable
    outcome: Outcome
    counts: bool = True


@dataclass(frozen=True)
class Assessment:
    """What the rule says after the last record: the absences of the current run (their keys, in
    order), whether to warn (one absence: 再缺席一次将视为退出) and what to propose (the first two
    absences of the run, evidence for 视为退出), if anything."""

    run: tuple[Hashable, ...]

    @property
    def absences(self) -> int:
        return len(self.run)

    @property
    def warn(self) -> bool:
        return self.absences == ABSENCES_FOR_EXIT - 1

    @property
    def proposal(self) -> tuple[Hashable, ...] | None:
        return self.run[:ABSENCES_FOR_EXIT] if self.absences >= ABSENCES_FOR_EXIT else None


def assess(records: Iterable[Record], *, since: Hashable | None = None) -> Assessment:
    """The one rule: the current run of absences over `records` (ordered as the activities took
    place). With `since`, only the records after the one with that key are read (a key not among
    them reads nothing: the caller's cut-off must be one of its records)."""
    records = list(records)
    if since is not None:
        keys = [record.key for record in records]
        records = records[keys.index(since) + 1:] if since in keys else []
    run: list[Hashable] = []
    for record in records:
        if not record.counts or record.outcome is Outcome.EXCUSED:
            continue
        if record.outcome is Outcome.ATTENDED:
            run = []
        else:
            run.append(record.key)
    return Assessment(run=tuple(run))


def consecutive_absences(records: Iterable[Record], *, since: Hashable | None = None) -> int:
    """How many absences in a row the school has now (0 after attending)."""
    return assess(records, since=since).absences


def exit_proposal(records: Iterable[Record], *, since: Hashable | None = None) -> tuple[Hashable, ...] | None:
    """The two absences in a row that propose 视为退出, or None."""
    return assess(records, since=since).proposal
