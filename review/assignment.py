"""Assigning experts to applications (DESIGN.md, "Review": N experts per application, balanced
load, never an expert of the same province or institution, or one who declared a conflict).

Pure Python on plain frozen dataclasses, with no Django imports, so the rules can be tested (and
property-tested) without a database. The caller loads candidates, the expert pool, the existing
assignments and the declared conflicts, calls `plan_assignments`, then writes `Plan.new`, removes
`Plan.dropped` (existing pairs that no longer count) and shows `Plan.shortfall_report()` to staff.

The algorithm is a greedy pass: candidates are taken most constrained first, and each free slot
goes to the eligible expert with the lowest load, then the most expertise overlap, then the lowest
id. Experts are kept in buckets by current load, so a candidate's choice is a few C-speed set
intersections rather than a scan-and-sort of the whole pool for every slot.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "Candidate",
    "Expert",
    "Pair",
    "Plan",
    "REASON_TOO_FEW",
    "REASON_CAPACITY",
    "is_eligible",
    "plan_assignments",
]

# Reasons shown after "申请 N 还缺 K 位评审专家：". Too few eligible experts in the pool at all is
# a matter for staff recruiting experts; eligible experts who are all full is a matter of raising
# someone's capacity, so the two are told apart.
REASON_TOO_FEW = "符合回避规则的专家不足"
REASON_CAPACITY = "符合回避规则的专家已达评审数量上限"


@dataclass(frozen=True)
class Candidate:
    """An application that needs reviews."""

    id: int
    province: str  # province code, e.g. "330000"
    institution: str  # the applicant school's name, normalised by the caller
    categories: frozenset[str]  # project category codes the application chose


@dataclass(frozen=True)
class Expert:
    """An expert in the review pool."""

    id: int
    province: str
    institution: str  # the expert's own institution name, normalised like Candidate.institution
    expertise: frozenset[str]  # project category codes the expert knows
    capacity: int | None = None  # max total assignments (existing + new); None = unlimited


@dataclass(frozen=True)
class Pair:
    """One (application, expert) assignment or declared conflict."""

    application_id: int
    expert_id: int


@dataclass
class Plan:
    """What `plan_assignments` proposes.

    `new`, `shortfalls` and `load` are the core answer; `dropped` and `reasons` carry what the
    caller needs to act on it (which existing rows to replace, why an application is short).
    """

    new: list[Pair]  # assignments to create, sorted by (application_id, expert_id)
    shortfalls: dict[int, int]  # application_id -> experts still missing (only if > 0)
    load: dict[int, int]  # expert_id -> total assignments after the plan (existing + new)
    # Existing pairs of a candidate that did not count towards its N experts: now ineligible
    # (e.g. a conflict declared after assignment) or naming an expert not in the pool. The plan
    # already replaced them, so the caller should remove them.
    dropped: list[Pair] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # application_id -> REASON_*

    def shortfall_report(self, names: dict[int, str] | None = None) -> list[str]:
        """One Chinese sentence per short application, e.g. "申请 17 还缺 1 位评审专家：符合回避规则的专家
        不足。", the application named by `names` (id → label) where given, else by its id."""
        names = names or {}
        return [
            f"{names.get(application_id, f'申请 {application_id}')} 还缺 {missing} 位评审专家："
            f"{self.reasons.get(application_id, REASON_TOO_FEW)}。"
            for application_id, missing in sorted(self.shortfalls.items())
        ]


def is_eligible(candidate: Candidate, expert: Expert, conflicts: frozenset[Pair]) -> bool:
    """Whether `expert` may review `candidate`.

    Never an expert of the application's province or institution (compared exactly; the caller
    normalises institution names), or one who declared a conflict with it (the pair is in
    `conflicts`). Capacity is not an eligibility matter; `plan_assignments` handles it.
    """
    return (
        expert.province != candidate.province
        and expert.institution != candidate.institution
        and Pair(candidate.id, expert.id) not in conflicts
    )


def plan_assignments(
    candidates: Iterable[Candidate],
    experts: Iterable[Expert],
    *,
    per_application: int = 3,
    existing: Iterable[Pair] = (),
    conflicts: Iterable[Pair] = (),
) -> Plan:
    """Plan new assignments so each candidate has `per_application` distinct eligible experts.

    - Existing pairs of a candidate count only while still eligible and while the expert is in
      the pool; the others are listed in `Plan.dropped`, do not count towards load, and the
      candidate gets a replacement.
    - Existing pairs of applications that are not candidates (other batches, finished reviews)
      still count towards the expert's load and capacity.
    - No new pair is ever ineligible, duplicated, or beyond an expert's capacity. An expert
      already over capacity through existing pairs keeps them and just gets nothing new.
    - Each slot goes to the eligible expert with the lowest current load, then the most overlap
      between expertise and the candidate's categories, then the lowest id. Candidates are taken
      with the least slack (eligible experts with room, minus slots to fill) first, then by id.
    - Whatever cannot be filled is reported in `Plan.shortfalls` with a reason.

    The result depends only on the input contents, not on their order.
    """
    if per_application < 0:
        raise ValueError("per_application must not be negative")
    candidate_list = sorted(candidates, key=lambda c: c.id)
    expert_list = sorted(experts, key=lambda e: e.id)
    _require_unique_ids(candidate_list, "candidate")
    _require_unique_ids(expert_list, "expert")
    conflict_set = frozenset(conflicts)
    experts_by_id = {e.id: e for e in expert_list}
    candidates_by_id = {c.id: c for c in candidate_list}

    # --- Existing pairs: which count, which are dropped, and the load they put on experts.
    load = {e.id: 0 for e in expert_list}
    kept: dict[int, set[int]] = defaultdict(set)  # application_id -> experts that still count
    dropped: list[Pair] = []
    for pair in sorted(set(existing), key=_pair_key):
        candidate = candidates_by_id.get(pair.application_id)
        expert = experts_by_id.get(pair.expert_id)
        if candidate is None:
            if expert is not None:  # an assignment outside this run still occupies the expert
                load[expert.id] += 1
        elif expert is not None and is_eligible(candidate, expert, conflict_set):
            kept[candidate.id].add(expert.id)
            load[expert.id] += 1
        else:
            # Not counted and not charged: the caller removes it and the plan replaces it.
            dropped.append(pair)

    room = {
        e.id: (None if e.capacity is None else max(0, e.capacity - load[e.id])) for e in expert_list
    }

    # --- Eligibility as sets, built from shared per-province sets so each candidate costs a
    # couple of set differences instead of a Python-level loop over the whole pool.
    outside_province: dict[str, frozenset[int]] = {}
    at_institution: dict[str, set[int]] = defaultdict(set)
    for e in expert_list:
        at_institution[e.institution].add(e.id)
    declared: dict[int, set[int]] = defaultdict(set)
    for pair in conflict_set:
        declared[pair.application_id].add(pair.expert_id)

    def eligible_ids(candidate: Candidate) -> frozenset[int] | set[int]:
        base = outside_province.get(candidate.province)
        if base is None:
            base = frozenset(e.id for e in expert_list if e.province != candidate.province)
            outside_province[candidate.province] = base
        excluded = at_institution.get(candidate.institution)
        if excluded:
            base = base - excluded
        excluded = declared.get(candidate.id)
        if excluded:
            base = base - excluded
        return base

    # --- Per candidate: how many slots to fill, and from whom.
    has_room = frozenset(eid for eid, r in room.items() if r is None or r > 0)
    work: list[tuple[int, int, Candidate, int, frozenset[int] | set[int], int]] = []
    shortfalls: dict[int, int] = {}
    reasons: dict[int, str] = {}
    for candidate in candidate_list:
        eligible = eligible_ids(candidate)
        need = per_application - len(kept.get(candidate.id, ()))
        if need <= 0:
            continue
        pool = eligible - kept[candidate.id] if candidate.id in kept else eligible
        # Slack = experts who could still take it minus slots to fill; the least slack goes
        # first so a scarce expert is not spent on an application that had other options.
        slack = len(pool & has_room) - need
        work.append((slack, candidate.id, candidate, need, pool, len(eligible)))
    work.sort(key=lambda item: (item[0], item[1]))

    # Buckets of experts with room, by current load; `levels` keeps the non-empty loads sorted.
    buckets: dict[int, set[int]] = defaultdict(set)
    for eid in has_room:
        buckets[load[eid]].add(eid)
    levels = sorted(buckets)

    # Expertise overlap only matters among equal loads. Per category set (many applications
    # choose the same categories) keep the experts in tiers of equal overlap, most overlap first,
    # so ranking a level is a few set intersections and int sorts, with no Python key function.
    tier_cache: dict[frozenset[str], tuple[list[frozenset[int]], frozenset[int]]] = {}

    def tiers(categories: frozenset[str]) -> tuple[list[frozenset[int]], frozenset[int]]:
        found = tier_cache.get(categories)
        if found is None:
            by_overlap: dict[int, set[int]] = defaultdict(set)
            for e in expert_list:
                n = len(e.expertise & categories)
                if n:
                    by_overlap[n].add(e.id)
            ranked = [frozenset(by_overlap[n]) for n in sorted(by_overlap, reverse=True)]
            found = (ranked, frozenset().union(*ranked))
            tier_cache[categories] = found
        return found

    new: list[Pair] = []
    for _slack, _id, candidate, need, pool, eligible_count in work:
        chosen: list[tuple[int, int]] = []  # (expert_id, load when chosen)
        for level in levels:
            available = buckets[level] & pool
            if not available:
                continue
            wanted = need - len(chosen)
            if len(available) > wanted:
                # Picking one expert makes it ineligible for this candidate's later slots, so
                # taking the best `wanted` of this level by (overlap desc, id) is exactly the
                # slot-by-slot greedy choice.
                ranked, skilled = tiers(candidate.categories)
                picked = []
                for tier in ranked:
                    picked += sorted(available & tier)[: wanted - len(picked)]
                    if len(picked) == wanted:
                        break
                else:
                    picked += sorted(available - skilled)[: wanted - len(picked)]
            else:
                picked = sorted(available)
            chosen.extend((eid, level) for eid in picked)
            if len(chosen) == need:
                break

        # Apply the choices only now: the loads seen above are those before this candidate,
        # which is what the slot-by-slot greedy would have seen for the experts it could pick.
        for eid, level in chosen:
            new.append(Pair(candidate.id, eid))
            bucket = buckets[level]
            bucket.discard(eid)
            if not bucket:
                del buckets[level]
                levels.pop(bisect.bisect_left(levels, level))
            load[eid] = level + 1
            if room[eid] is not None:
                room[eid] -= 1
                if room[eid] == 0:
                    continue  # full: leaves the buckets for good
            if level + 1 not in buckets:
                bisect.insort(levels, level + 1)
            buckets[level + 1].add(eid)

        missing = need - len(chosen)
        if missing > 0:
            shortfalls[candidate.id] = missing
            reasons[candidate.id] = (
                REASON_TOO_FEW if eligible_count < per_application else REASON_CAPACITY
            )

    new.sort(key=_pair_key)
    return Plan(
        new=new,
        shortfalls=dict(sorted(shortfalls.items())),
        load=load,
        dropped=dropped,
        reasons=dict(sorted(reasons.items())),
    )


def _pair_key(pair: Pair) -> tuple[int, int]:
    return (pair.application_id, pair.expert_id)


def _require_unique_ids(items: list[Candidate] | list[Expert], kind: str) -> None:
    # Duplicate ids would silently merge two people or applications; refuse instead.
    for before, after in zip(items, items[1:]):
        if before.id == after.id:
            raise ValueError(f"duplicate {kind} id {after.id}")
