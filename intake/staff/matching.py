"""After a human decision, bring persons and account statuses up to date at once.

Calls the matcher's own functions (H2's ``recluster``, H4's ``link_submission``): the staff
area never re-implements clustering.
"""

from __future__ import annotations

import sqlite_utils
from flask import current_app

from ..match.link import link_submission
from ..match.pipeline import recluster
from ..match.settings import MatchSettings


def refresh_after(db: sqlite_utils.Database, kind: str, submission_ids: list[int]) -> None:
    """Recluster the touched persons (dedup) or re-link the submission (link)."""
    settings = MatchSettings.from_config(current_app.config)
    if kind == "dedup":
        recluster(db, submission_ids, settings=settings)
    else:
        link_submission(
            db,
            submission_ids[0],
            settings=settings,
            hash_key=current_app.config.get("ACCOUNT_HASH_KEY"),
        )
