"""The review queue, the pair page and decisions (Same person / Different people / Skip, undo).

Works without JavaScript (plain forms, redirects to the next pair); ``staff.js`` posts the same
forms with fetch and swaps in the next pair without a full reload (it asks for JSON).
"""

from __future__ import annotations

import json

from flask import (
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..db import get_db
from ..match.explain import decode as decode_explanation
from ..store import dashboard as figures
from ..store import now as now_iso
from ..store import review as store
from ..store.audit import audit
from ..store.decisions import DECISIONS, add_decision, decisions_for_pair, undo_decision
from .auth import require_role
from .blueprint import bp
from .cache import cached
from .matching import refresh_after
from .pairview import bars, field_diffs

REVIEWERS = ("paralegal", "admin")

ACCOUNT_FIELDS = ("name", "email", "phone", "address", "postal_code", "account_id")
FILTER_KEYS = ("kind", "fraud", "skipped")


def flagged(db) -> frozenset[int]:
    """Submissions touching a fraud signal (cached: hub detection scans every submission)."""
    return cached("flagged", lambda: frozenset(figures.flagged_submission_ids(db)))


def _filters() -> dict:
    """Queue filters live in the session so 'next pair' keeps them without query strings."""
    return session.get("review_filters") or {}


def _queue_args(filters: dict) -> dict:
    return {
        "kind": filters.get("kind") or None,
        "fraud_only": filters.get("fraud") == "1",
        "include_skipped": filters.get("skipped") != "0",
    }


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _blind() -> bool:
    return bool(session.get("review_blind"))


@bp.route("/review")
@require_role(*REVIEWERS)
def review_queue():
    """The open pairs of both kinds, most useful first, with filters and the progress counter."""
    if "filter" in request.args:
        session["review_filters"] = {k: request.args.get(k, "") for k in FILTER_KEYS}
        session["review_blind"] = request.args.get("blind") == "1"
    filters = _filters()
    db = get_db()
    rows = store.queue(db, flagged=flagged(db), limit=100, **_queue_args(filters))
    return render_template(
        "staff/queue.html",
        rows=rows,
        filters=filters,
        blind=_blind(),
        progress=store.progress(db, user_id=g.user["id"]),
    )


RANK_SECONDS = 60  # the ranked order is reused this long; each pick is still checked live


def _ranked(db) -> tuple[str, list[tuple[str, int, int]]]:
    """(when ranked, up to 500 open pairs in queue order) for the current filters, cached so a
    decision does not re-rank the whole queue."""
    filters = _filters()

    def rank():
        rows = store.queue(db, flagged=flagged(db), limit=500, **_queue_args(filters))
        return now_iso(), [(r["kind"], r["id_l"], r["id_r"]) for r in rows]

    key = "ranked:" + json.dumps(filters, sort_keys=True)
    return cached(key, rank, max_age=RANK_SECONDS)


def _next_url(current: tuple[str, int, int] | None = None, *, after: bool = False) -> str:
    """The most useful open pair other than ``current``; with ``after``, the next one after
    ``current`` in queue order (J moves forward instead of bouncing between the top two)."""
    db = get_db()
    since, order = _ranked(db)
    start = order.index(current) + 1 if after and current in order else 0
    candidates = [c for c in order[start:] + order[:start] if c != current]
    pick = store.first_open(db, candidates, since=since)
    if pick is None:  # the cached order is used up or stale: rank afresh
        rows = store.queue(
            db, flagged=flagged(db), exclude=current, limit=1, **_queue_args(_filters())
        )
        pick = (rows[0]["kind"], rows[0]["id_l"], rows[0]["id_r"]) if rows else None
    if pick is None:
        return url_for("staff.review_queue", done=1)
    return url_for("staff.pair", kind=pick[0], id_l=pick[1], id_r=pick[2])


@bp.route("/review/next")
@require_role(*REVIEWERS)
def review_next():
    """The most useful open pair (J on the pair page skips to it without deciding)."""
    current = None
    if request.args.get("after"):
        try:
            kind, id_l, id_r = request.args["after"].split(":")
            current = (kind, int(id_l), int(id_r))
        except ValueError:
            abort(400)
    return redirect(_next_url(current, after=current is not None))


def _records(db, kind: str, id_l: int, id_r: int) -> tuple[dict, dict]:
    left = store.get_submission(db, id_l)
    right = store.get_submission(db, id_r) if kind == "dedup" else store.get_account(db, id_r)
    if left is None or right is None:
        abort(404)
    return left, right


@bp.route("/review/<kind>/<int:id_l>/<int:id_r>")
@require_role(*REVIEWERS)
def pair(kind: str, id_l: int, id_r: int):
    """Two records side by side with differences, the explanation, clusters and the buttons."""
    if kind not in store.KINDS:
        abort(404)
    db = get_db()
    row = store.get_pair(db, kind, id_l, id_r)
    if row is None:
        abort(404)
    left, right = _records(db, kind, id_l, id_r)
    fields = store.RECORD_FIELDS if kind == "dedup" else ACCOUNT_FIELDS
    diffs = field_diffs(fields, left, right)
    members_l = [m for m in store.cluster(db, left.get("person_id")) if m["id"] not in (id_l, id_r)]
    members_r = []
    if kind == "dedup" and right.get("person_id") != left.get("person_id"):
        members_r = [m for m in store.cluster(db, right.get("person_id")) if m["id"] != id_r]
    history = decisions_for_pair(db, kind, id_l, id_r)
    live = [d for d in history if d["undone_at"] is None and d["decision"] != "skip"]
    last_id = session.get("last_decision")
    return render_template(
        "staff/pair.html",
        kind=kind,
        pair=row,
        left=left,
        right=right,
        diffs=diffs,
        explanation=bars(decode_explanation(row["explanation"]), row["weight"]),
        members_l=members_l,
        members_r=members_r,
        history=history,
        current=live[-1]["decision"] if live else None,
        last=store.get_decision(db, last_id) if last_id else None,
        blind=_blind(),
        progress=store.progress(db, user_id=g.user["id"]),
        next_url=url_for("staff.review_next", after=f"{kind}:{id_l}:{id_r}"),
    )


@bp.route("/review/<kind>/<int:id_l>/<int:id_r>/decide", methods=["POST"])
@require_role(*REVIEWERS)
def decide(kind: str, id_l: int, id_r: int):
    """Store the decision with who/when, update persons at once, go to the next pair."""
    decision = request.form.get("decision", "")
    if kind not in store.KINDS or decision not in DECISIONS:
        abort(400)
    db = get_db()
    if store.get_pair(db, kind, id_l, id_r) is None:
        abort(404)
    note = (request.form.get("note") or "").strip()[:2000] or None
    user_id = g.user["id"]
    decision_id = add_decision(db, kind, id_l, id_r, decision, user_id=user_id, note=note)
    audit(
        db,
        "decision",
        user_id=user_id,
        target=f"pair:{kind}:{id_l}:{id_r}",
        decision=decision,
        decision_id=decision_id,
        with_note=note is not None,
    )
    if decision != "skip":
        refresh_after(db, kind, [id_l, id_r])
    session["last_decision"] = decision_id
    next_url = _next_url((kind, id_l, id_r))
    if _wants_json():
        return jsonify(
            ok=True,
            decision_id=decision_id,
            next_url=next_url,
            progress=store.progress(db, user_id=user_id),
        )
    return redirect(next_url)


@bp.route("/decisions/<int:decision_id>/undo", methods=["POST"])
@require_role(*REVIEWERS)
def undo(decision_id: int):
    """Undo a decision (marked, never deleted) and recompute the persons it touched."""
    db = get_db()
    row = store.get_decision(db, decision_id)
    if row is None:
        abort(404)
    user_id = g.user["id"]
    if undo_decision(db, decision_id, user_id=user_id):
        audit(
            db,
            "decision_undo",
            user_id=user_id,
            target=f"pair:{row['kind']}:{row['id_l']}:{row['id_r']}",
            decision_id=decision_id,
        )
        if row["decision"] != "skip":
            refresh_after(db, row["kind"], [row["id_l"], row["id_r"]])
    if session.get("last_decision") == decision_id:
        session.pop("last_decision")
    target = url_for("staff.pair", kind=row["kind"], id_l=row["id_l"], id_r=row["id_r"])
    if _wants_json():
        return jsonify(ok=True, next_url=target)
    back = request.form.get("back")
    return redirect(back if _safe(back) else target)


def _safe(path: str | None) -> bool:
    return bool(path) and path.startswith("/staff/") and not path.startswith("//")


DECISION_LABELS = {
    "same": lambda: _("Same person"),
    "different": lambda: _("Different people"),
    "skip": lambda: _("Skipped"),
}


@bp.app_template_filter("decision_label")
def decision_label(value: str) -> str:
    """Human label of a stored decision code."""
    label = DECISION_LABELS.get(value)
    return label() if label else value
