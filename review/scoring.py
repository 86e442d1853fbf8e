"""Score arithmetic, free of the database: weighted totals, the per-application mean (trimmed
when there are enough reviews), the spread and the disagreement flag."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# With this many reviews or more the highest and the lowest are dropped before averaging.
TRIM_FROM = 5
# Experts disagree widely when their totals differ by more than this share of the maximum total.
DISAGREEMENT_SHARE = Decimal("0.20")
HALF = Decimal("0.5")


def weighted_total(points: dict[int, Decimal], weights: dict[int, Decimal]) -> Decimal:
    """Σ points × weight over the criteria (criterion id → value)."""
    return sum((Decimal(points[c]) * Decimal(weights[c]) for c in weights), Decimal(0)).quantize(Decimal("0.01"))


def maximum_total(max_points: dict[int, Decimal], weights: dict[int, Decimal]) -> Decimal:
    return weighted_total(max_points, weights)


def is_half_step(value: Decimal) -> bool:
    return (Decimal(value) / HALF) == (Decimal(value) / HALF).to_integral_value()


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: Decimal | None
    spread: Decimal | None
    disagree: bool
    trimmed: bool


def aggregate(totals: list[Decimal], *, max_total: Decimal) -> Aggregate:
    """The application's score from its reviews' weighted totals."""
    if not totals:
        return Aggregate(0, None, None, False, False)
    ordered = sorted(Decimal(t) for t in totals)
    return aggregate_stats(len(ordered), sum(ordered, Decimal(0)), ordered[0], ordered[-1], max_total=max_total)


def aggregate_stats(count: int, total: Decimal | None, lowest: Decimal | None, highest: Decimal | None, *,
                    max_total: Decimal) -> Aggregate:
    """The same score from the count, sum, lowest and highest of the weighted totals (what one
    GROUP BY gives for every application at once): dropping the highest and the lowest is
    subtracting them, and Decimal sums are exact, so both give the same mean to the cent."""
    if not count:
        return Aggregate(0, None, None, False, False)
    total, lowest, highest = Decimal(total), Decimal(lowest), Decimal(highest)
    trimmed = count >= TRIM_FROM
    kept_sum, kept_count = (total - lowest - highest, count - 2) if trimmed else (total, count)
    mean = (kept_sum / kept_count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    spread = highest - lowest
    disagree = count >= 2 and spread > DISAGREEMENT_SHARE * max_total
    return Aggregate(count, mean, spread, disagree, trimmed)
