"""For each steering and nudge turn: a reply that follows the event meets its keywords and its
output_mentions, a reply that ignores it (carrying on with the earlier plan) does not — judged by
the built-in ``steering`` and ``expectations`` scorers, as a run judges them (case-insensitive,
in the scope the event names, over the parsed tool-call argument values)."""

from __future__ import annotations

from typing import Any

import pytest

from pawbench.models.scenario import Scenario, Turn

from .support import Reply, catalog, score_reply, turn_id, turns

STATUS = "STATUS: done\nFILES_CREATED: none\nFILES_MODIFIED: {files}\nTESTS: not run\nBUILD: ok\n"


def _write(path: str, content: str) -> tuple[str, dict[str, Any]]:
    return ("write_file", {"path": path, "content": content})


def _text(summary: str, files: str) -> str:
    return summary + "\n\n" + STATUS.format(files=files) + "LEARNED: " + summary


SIZE_GUIDE = """
SIZE_CHART = {
    "chihuahua": {"recommended_size": "XS", "chest_cm": 33, "neck_cm": 22},
    "dachshund": {"recommended_size": "S", "chest_cm": 44, "neck_cm": 30},
    "french-bulldog": {"recommended_size": "M", "chest_cm": 60, "neck_cm": 40},
    "labrador": {"recommended_size": "L", "chest_cm": 80, "neck_cm": 50},
    "great-dane": {"recommended_size": "XL", "chest_cm": 100, "neck_cm": 62},
}


@app.get("/api/size-guide/{breed}")
def size_guide(breed: str) -> dict[str, object]:
    advice = SIZE_CHART.get(breed.lower())
    if advice is None:
        raise HTTPException(status_code=404, detail="Breed not found")
    return {"breed": breed.lower(), **advice}
"""
CHECKOUT = """
ORDERS: dict[str, dict[str, object]] = {}


@app.post("/api/orders", status_code=201)
def create_order(order: OrderIn) -> dict[str, object]:
    total = sum(PRODUCTS[i.product_id]["price_cents"] * i.quantity for i in order.items)
    placed = {"order_id": uuid.uuid4().hex, "email": order.email, "total_cents": total}
    ORDERS[placed["order_id"]] = placed
    return placed
"""
WISHLIST = """
WISHLIST: list[str] = []


@app.get("/api/wishlist")
def wishlist() -> dict[str, list[str]]:
    return {"product_ids": WISHLIST}


@app.post("/api/wishlist", status_code=201)
def add_favorite(body: WishlistIn) -> dict[str, list[str]]:
    if body.product_id not in PRODUCTS:
        raise HTTPException(status_code=400, detail="Unknown product id")
    if body.product_id not in WISHLIST:
        WISHLIST.append(body.product_id)
    return {"product_ids": WISHLIST}


@app.delete("/api/wishlist/{product_id}", status_code=204)
def remove_favorite(product_id: str) -> Response:
    if product_id not in WISHLIST:
        raise HTTPException(status_code=404, detail="Not on the wishlist")
    WISHLIST.remove(product_id)
    return Response(status_code=204)
"""
PAGINATION = """
@app.get("/api/products")
def list_products(limit: int = 20, offset: int = 0) -> list[dict[str, object]]:
    return list(PRODUCTS.values())[offset : offset + limit]
"""
COMPARE = """
@app.get("/api/compare")
def compare(ids: str) -> dict[str, list[dict[str, object]]]:
    wanted = [i for i in ids.split(",") if i]
    if not 2 <= len(wanted) <= 4 or any(i not in PRODUCTS for i in wanted):
        raise HTTPException(status_code=400, detail="Give two to four known product ids")
    return {"products": [PRODUCTS[i] for i in wanted]}
"""
RATE_LIMIT = """
ATTEMPTS: dict[str, deque[float]] = defaultdict(deque)


def rate_limit(request: Request) -> None:
    now = time.monotonic()
    window = ATTEMPTS[request.client.host if request.client else "unknown"]
    while window and now - window[0] > 60:
        window.popleft()
    if len(window) >= 5:
        wait = int(60 - (now - window[0])) + 1
        raise HTTPException(status_code=429, detail="Too many attempts",
                            headers={"Retry-After": str(wait)})
    window.append(now)
"""
NOTE_DELETE = """
@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int, user: str = Depends(current_user)) -> None:
    if NOTES.get(note_id) is None or NOTES[note_id].owner != user:
        raise HTTPException(status_code=404, detail="Note not found")
    del NOTES[note_id]
"""
READ_ROWS = """import csv
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    delimiter = "\\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))
"""
DRY_RUN = """import argparse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pipeline.transform")
    parser.add_argument("source")
    parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
    return parser.parse_args(argv)
"""
TYPED_PRICING = """from collections.abc import Sequence

from storekit.models import Item

TAX_RATE_PERCENT = 20
BULK_THRESHOLD = 3
BULK_DISCOUNT_PERCENT = 10


def subtotal(items: Sequence[Item]) -> int:
    return sum(item.price_cents * item.quantity for item in items)


def total(items: Sequence[Item]) -> int:
    net = subtotal(items) - discount(items)
    return net + tax(net)
"""
TYPED_MODELS = """from dataclasses import dataclass


@dataclass
class Item:
    sku: str
    name: str
    price_cents: int
    quantity: int = 1


def parse_line(line: str) -> Item:
    sku, name, price, quantity = [part.strip() for part in line.split(",")]
    return Item(sku, name, int(price), int(quantity))


def load_items(path: str) -> list[Item]:
    with open(path, encoding="utf-8") as handle:
        return [parse_line(line) for line in handle if line.strip() and not line.startswith("#")]
"""
TYPED_RECEIPT = """def money(cents: int) -> str:
    return f"${cents // 100}.{cents % 100:02d}"
"""
UNTYPED_DOCS = '''"""Pricing rules of Lola's shop: subtotal, bulk discount, tax and total."""


def subtotal(items):
    """Sum of price times quantity, in cents."""
    return sum(item.price_cents * item.quantity for item in items)
'''

# (scenario, agent, turn) -> (reply that follows the event, reply that ignores it)
REPLIES: dict[tuple[str, str, int], tuple[Reply, Reply]] = {
    ("pawstyle", "backend", 2): (
        Reply(
            _text("Added Lola's size guide before checkout.", "backend/app/main.py"),
            [_write("backend/app/main.py", SIZE_GUIDE)],
        ),
        Reply(
            _text("Added checkout with order validation.", "backend/app/main.py"),
            [_write("backend/app/main.py", CHECKOUT)],
        ),
    ),
    ("pawstyle-nudge", "backend", 2): (
        Reply(
            _text("Added the wishlist API for Lola's Favorites.", "backend/app/main.py"),
            [_write("backend/app/main.py", WISHLIST)],
        ),
        Reply(
            _text("Added pagination to the product list.", "backend/app/main.py"),
            [_write("backend/app/main.py", PAGINATION)],
        ),
    ),
    ("pawstyle-nudge", "backend", 3): (
        Reply(
            _text("Added the compare endpoint.", "backend/app/main.py"),
            [_write("backend/app/main.py", COMPARE)],
        ),
        Reply(
            _text("Polished the wishlist routes.", "backend/app/main.py"),
            [_write("backend/app/main.py", WISHLIST)],
        ),
    ),
    ("api-auth", "backend", 2): (
        Reply(
            _text("Rate limited the token endpoint per client IP.", "app/main.py"),
            [_write("app/ratelimit.py", RATE_LIMIT)],
        ),
        Reply(
            _text("Added note deletion for the owner.", "app/main.py"),
            [_write("app/main.py", NOTE_DELETE)],
        ),
    ),
    ("data-pipeline", "developer", 3): (
        Reply(
            _text("The pipeline now reads CSV and TSV.", "pipeline/transform.py"),
            [
                _write("pipeline/io.py", READ_ROWS),
                ("run_command", {"command": "python -m pipeline.transform partner_orders.tsv"}),
            ],
        ),
        Reply(
            _text("Added a --dry-run flag.", "pipeline/transform.py"),
            [
                _write("pipeline/cli.py", DRY_RUN),
                ("run_command", {"command": "python -m pipeline.transform orders.csv"}),
            ],
        ),
    ),
    ("refactor-extract", "developer", 2): (
        Reply(
            _text("Annotated every function; mypy --strict passes.", "storekit/pricing.py"),
            [
                _write("storekit/models.py", TYPED_MODELS),
                _write("storekit/pricing.py", TYPED_PRICING),
                _write("storekit/receipt.py", TYPED_RECEIPT),
                ("run_command", {"command": "mypy --strict storekit store.py"}),
            ],
        ),
        Reply(
            _text("Added docstrings to the pricing module.", "storekit/pricing.py"),
            [_write("storekit/pricing.py", UNTYPED_DOCS)],
        ),
    ),
}


def _event_turns() -> list[tuple[Scenario, Turn, tuple[str, str, int]]]:
    return [(s, t, (s.id, a.id, t.turn or 0)) for s, a, t in turns() if t.event is not None]


def test_every_event_turn_has_example_replies() -> None:
    assert {key for _, _, key in _event_turns()} == set(REPLIES)


@pytest.mark.parametrize("key", sorted(REPLIES), ids=lambda k: "/".join(map(str, k)))
def test_following_the_event_passes_and_ignoring_it_fails(key: tuple[str, str, int]) -> None:
    scenario = catalog().entries[key[0]].scenario
    agent = scenario.agent(key[1])
    turn = next(t for t in agent.turns if t.turn == key[2])
    assert turn.event is not None
    follows, ignores = REPLIES[key]
    kind = turn.event.kind
    good = score_reply(scenario, agent, turn, follows)
    bad = score_reply(scenario, agent, turn, ignores)
    where = turn_id(scenario, agent, turn)
    assert good[f"{kind}.keywords_found"] == 1.0, where
    assert good[f"{kind}.followed"] == 1.0, where
    assert bad[f"{kind}.keywords_found"] == 0.0, where
    assert bad[f"{kind}.followed"] == 0.0, where
    assert good["expect.output_mentions"] == 1.0, where
    assert bad["expect.output_mentions"] < good["expect.output_mentions"], where
    assert good["quality.turn"] > bad["quality.turn"], where


@pytest.mark.parametrize("key", sorted(REPLIES), ids=lambda k: "/".join(map(str, k)))
def test_example_replies_are_valid_tool_calls(key: tuple[str, str, int]) -> None:
    scenario = catalog().entries[key[0]].scenario
    turn = next(t for t in scenario.agent(key[1]).turns if t.turn == key[2])
    for reply in REPLIES[key]:
        assert reply.text.rstrip().splitlines()[-6].startswith("STATUS: done")
        for name, args in reply.calls:
            assert name in turn.tools
            tool = scenario.tool(name)
            assert tool is not None
            schema = tool.function.parameters
            assert set(args) == set(schema["required"]) == set(schema["properties"])
            assert all(isinstance(v, str) for v in args.values())
