"""The simulator's Prometheus metrics, under vLLM V1 names, in a registry of its own (never the
process-global one, so that several simulators can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

MODEL_LABEL = "pawbench-sim"

TTFT_BUCKETS = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
    1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
ITL_BUCKETS = (
    0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
    0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
)  # fmt: skip


class SimMetrics:
    """The children (label ``model_name``) the scheduler updates; ``render`` gives the text."""

    def __init__(self, model_name: str = MODEL_LABEL) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        labels = ["model_name"]

        def gauge(name: str, doc: str) -> Gauge:
            return Gauge(name, doc, labels, registry=reg).labels(model_name)

        def counter(name: str, doc: str) -> Counter:
            return Counter(name, doc, labels, registry=reg).labels(model_name)

        self.running = gauge("vllm:num_requests_running", "Requests in the running batch.")
        self.waiting = gauge("vllm:num_requests_waiting", "Requests waiting for admission.")
        self.kv_usage = gauge("vllm:kv_cache_usage_perc", "KV-cache usage, 1 = full.")
        self.prompt_tokens = counter("vllm:prompt_tokens", "Prompt tokens processed.")
        self.generation_tokens = counter("vllm:generation_tokens", "Tokens generated.")
        self.prefix_queries = counter(
            "vllm:prefix_cache_queries", "Prompt tokens looked up in the prefix cache."
        )
        self.prefix_hits = counter("vllm:prefix_cache_hits", "Prompt tokens found cached.")
        self.spec_drafts = counter(
            "vllm:spec_decode_num_draft_tokens", "Speculative draft tokens proposed."
        )
        self.spec_accepted = counter(
            "vllm:spec_decode_num_accepted_tokens", "Speculative draft tokens accepted."
        )
        self.requests_ok = counter("vllm:request_success", "Requests finished.")
        self.ttft = Histogram(
            "vllm:time_to_first_token_seconds",
            "Time to first token (wall seconds).",
            labels,
            buckets=TTFT_BUCKETS,
            registry=reg,
        ).labels(model_name)
        self.itl = Histogram(
            "vllm:inter_token_latency_seconds",
            "Time between successive token emissions (wall seconds).",
            labels,
            buckets=ITL_BUCKETS,
            registry=reg,
        ).labels(model_name)

    def render(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        data: bytes = generate_latest(self.registry)
        return data
