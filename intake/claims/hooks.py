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

from ..match.link import link_submission
from ..match.pipeline import match_incremental
from ..match.settings import MatchSettings

log = logging.getLogger(__name__)


def after_submit(
    db: sqlite_utils.Database, sid: int, config: Mapping[str, Any] | None = None
) -> None:
    """Run the incremental matcher and the account link for one new submission.

    In privacy mode (``ACCOUNT_HASH_KEY``) the link compares keyed hashes, as the list has
    no clear e-mails or phones.
    """
    config = config or {}
    settings = MatchSettings.from_config(config)
    hash_key = config.get("ACCOUNT_HASH_KEY")
    steps = (
        ("match", lambda: match_incremental(db, sid, settings=settings)),
        ("link", lambda: link_submission(db, sid, settings=settings, hash_key=hash_key)),
    )
    for step, call in steps:
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - never let matching break a stored claim
            log.error(
                "after_submit: %s step failed for submission %s (%s)",
                step,
                sid,
                type(exc).__name__,
            )
