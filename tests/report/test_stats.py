"""Bootstrap intervals and verdicts, on inputs whose answer is known."""

from __future__ import annotations

from pawbench.report.headline import mean_of_first, ratio_of_sums
from pawbench.report.stats import Bootstrap, bootstrap_diff, verdict


def test_identical_constant_samples_give_a_zero_interval() -> None:
    sample = [(5.0,)] * 10
    assert bootstrap_diff(sample, sample, mean_of_first, Bootstrap(200)) == (0.0, 0.0)


def test_separated_samples_exclude_zero() -> None:
    low = [(float(v),) for v in range(10, 20)]
    high = [(float(v),) for v in range(30, 40)]  # every value above every baseline value
    interval = bootstrap_diff(low, high, mean_of_first, Bootstrap(500))
    assert interval is not None and 10.0 < interval[0] <= interval[1] < 30.0


def test_ratio_of_sums_is_tokens_over_seconds() -> None:
    assert ratio_of_sums([(100.0, 1.0), (300.0, 3.0)]) == 100.0
    assert ratio_of_sums([]) is None


def test_empty_sample_has_no_interval() -> None:
    assert bootstrap_diff([], [(1.0,)], mean_of_first, Bootstrap(100)) is None


def test_verdicts_follow_the_direction() -> None:
    assert verdict((1.0, 2.0), higher_is_better=True) == "better"
    assert verdict((1.0, 2.0), higher_is_better=False) == "worse"
    assert verdict((-2.0, -1.0), higher_is_better=False) == "better"
    assert verdict((-1.0, 2.0), higher_is_better=True) == "within noise"
    assert verdict(None, higher_is_better=True) is None
