"""Benchmark for review.assignment.plan_assignments: 10,000 applications from 32 provinces,
200 experts, 3 experts each. Run from the project root:

    .venv/bin/python bench/assignment_bench.py

Prints the seconds taken, the load spread and the shortfalls. Not a test: timings vary by machine.
"""
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review.assignment import Candidate, Expert, Pair, plan_assignments  # noqa: E402

PROVINCES = [f"{code}0000" for code in range(11, 43)]  # 32 province codes
CATEGORIES = [f"C{n}" for n in range(1, 9)]


def build(seed: int = 2025):
    rnd = random.Random(seed)
    candidates = [
        Candidate(
            id=i,
            province=rnd.choice(PROVINCES),
            institution=f"学校{i}",
            categories=frozenset(rnd.sample(CATEGORIES, rnd.randint(1, 3))),
        )
        for i in range(1, 10_001)
    ]
    experts = [
        Expert(
            id=i,
            province=rnd.choice(PROVINCES),
            # A few experts work at applicant schools, so the institution rule bites too.
            institution=f"学校{rnd.randint(1, 10_000)}" if i % 10 == 0 else f"研究院{i}",
            expertise=frozenset(rnd.sample(CATEGORIES, rnd.randint(1, 4))),
        )
        for i in range(1, 201)
    ]
    conflicts = [Pair(rnd.randint(1, 10_000), rnd.randint(1, 200)) for _ in range(500)]
    return candidates, experts, conflicts


def main() -> None:
    candidates, experts, conflicts = build()
    started = time.perf_counter()
    plan = plan_assignments(candidates, experts, per_application=3, conflicts=conflicts)
    seconds = time.perf_counter() - started
    loads = plan.load.values()
    print(f"{len(candidates)} applications × {len(experts)} experts × 3: {seconds:.2f} s")
    print(f"new pairs {len(plan.new)}, load max {max(loads)} min {min(loads)}, shortfalls {len(plan.shortfalls)}")

    # Second run with capacities and a third of the assignments already made, as on a re-run.
    capped = [Expert(e.id, e.province, e.institution, e.expertise, 160) for e in experts]
    existing = plan.new[: len(plan.new) // 3]
    started = time.perf_counter()
    rerun = plan_assignments(candidates, capped, per_application=3, existing=existing, conflicts=conflicts)
    seconds = time.perf_counter() - started
    loads = rerun.load.values()
    print(f"re-run with capacity 160 and {len(existing)} existing: {seconds:.2f} s")
    print(f"new pairs {len(rerun.new)}, load max {max(loads)} min {min(loads)}, shortfalls {len(rerun.shortfalls)}")


if __name__ == "__main__":
    main()
