"""An LRU prefix cache keyed by chained hashes of fixed-size prompt blocks (as vLLM's automatic
prefix caching): block ``i`` is identified by the hash of block ``i-1``'s key and its own bytes,
so a block hits only when the whole prefix before it is identical."""

from __future__ import annotations

from collections import OrderedDict

from pawbench.sim.tokens import BYTES_PER_TOKEN


class PrefixCache:
    """Full blocks of ``block_tokens`` tokens (``block_tokens * 4`` prompt bytes), at most
    ``capacity_blocks`` of them, least recently used evicted first."""

    def __init__(self, capacity_blocks: int, block_tokens: int) -> None:
        self.capacity_blocks = max(0, capacity_blocks)
        self.block_tokens = block_tokens
        self._block_bytes = block_tokens * BYTES_PER_TOKEN
        self._blocks: OrderedDict[int, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._blocks)

    def lookup_and_insert(self, prompt: bytes, prompt_tokens: int) -> int:
        """Cached tokens for this prompt (leading blocks already present, at most
        ``prompt_tokens - 1``: the last token is always computed); then caches all its blocks."""
        if self.capacity_blocks == 0:
            return 0
        size = self._block_bytes
        blocks = self._blocks
        key = 0
        hits = 0
        missed = False
        for start in range(0, len(prompt) - size + 1, size):
            key = hash((key, prompt[start : start + size]))
            if key in blocks:
                blocks.move_to_end(key)
                hits += 0 if missed else 1
                continue
            missed = True
            blocks[key] = None
            if len(blocks) > self.capacity_blocks:
                blocks.popitem(last=False)
        return max(0, min(hits * self.block_tokens, prompt_tokens - 1))
