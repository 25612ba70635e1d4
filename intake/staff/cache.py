"""A tiny per-process, per-database cache for figures that scan every submission (fraud hubs
and bursts). They only inform ranking and the dashboard, so a view up to two minutes old is
fine; everything else on the staff pages is read fresh."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import current_app

MAX_AGE_SECONDS = 120
_store: dict[tuple[str, str], tuple[float, Any]] = {}


def cached(name: str, compute: Callable[[], Any], max_age: float = MAX_AGE_SECONDS) -> Any:
    """``compute()`` at most every ``max_age`` seconds for this app's database."""
    key = (str(current_app.config["DB"]), name)
    now = time.monotonic()
    hit = _store.get(key)
    if hit is None or now - hit[0] > max_age:
        hit = (now, compute())
        _store[key] = hit
    return hit[1]
