"""After a human decision, bring persons and account statuses up to date at once.

Calls the matcher's own functions (H2's ``recluster``, H4's ``link_submission``): the staff
area never re-implements clustering.
"""

from __future__ import annotations

import logging

import sqlite_utils
from flask import current_app

log = logging.getLogger(__name__)


def _settings():
    try:
        from ..match.settings import MatchSettings
    except ImportError:
        return None
    return MatchSettings.from_config(current_app.config)


def refresh_after(db: sqlite_utils.Database, kind: str, submission_ids: list[int]) -> bool:
    """Recluster the touched persons (dedup) or re-link the submission (link).

    Returns False when the matcher is not installed yet (persons then update at the next
    ``intake match``; the decision itself is stored either way).
    """
    try:
        if kind == "dedup":
            from ..match.pipeline import recluster

            recluster(db, submission_ids, settings=_settings())
        else:
            from ..match.link import link_submission

            link_submission(
                db,
                submission_ids[0],
                settings=_settings(),
                hash_key=current_app.config.get("ACCOUNT_HASH_KEY"),
            )
    except ImportError:
        log.warning("matcher not available; persons update at the next match run")
        return False
    return True
