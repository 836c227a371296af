"""pawbench-lola-scorer: an example third-party pawbench plugin (a scorer named ``lola``)."""

from pawbench_lola_scorer.plugin import LolaScorer

__all__ = ["LolaScorer"]
