"""What runs after a claim is stored: dedup and the affected-list cross-check.

Called after the response has been handed to the server (see ``views``), so the claimant's
wait never depends on whether they are on the affected list (no timing oracle). A failure
here is logged by id only and never reaches the claimant: the claim is already safely stored,
and the batch ``intake match`` run picks up anything left unmatched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlite_utils

log = logging.getLogger(__name__)


def after_submit(
    db: sqlite_utils.Database, sid: int, config: Mapping[str, Any] | None = None
) -> None:
    """Run the incremental matcher and the account link for one new submission."""
    settings = _settings(config or {})
    for step, call in (("match", _match), ("link", _link)):
        try:
            call(db, sid, settings)
        except ImportError:
            log.info("after_submit: %s step not available yet (submission %s)", step, sid)
        except Exception as exc:  # noqa: BLE001 - never let matching break a stored claim
            log.error(
                "after_submit: %s step failed for submission %s (%s)",
                step,
                sid,
                type(exc).__name__,
            )


def _settings(config: Mapping[str, Any]) -> Any:
    try:
        from ..match.settings import MatchSettings
    except ImportError:
        return None
    return MatchSettings.from_config(config)


def _match(db: sqlite_utils.Database, sid: int, settings: Any) -> None:
    from ..match.pipeline import match_incremental

    match_incremental(db, sid, settings=settings)


def _link(db: sqlite_utils.Database, sid: int, settings: Any) -> None:
    from ..match.link import link_submission

    link_submission(db, sid, settings=settings)
