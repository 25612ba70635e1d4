"""Person pages: every submission of a person, account link and status, decisions, history,
and splitting a submission out (recorded as 'different' decisions, so every later run keeps
it apart)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..db import get_db
from ..store import review as store
from ..store.audit import audit
from ..store.decisions import add_decision
from .auth import require_role
from .blueprint import bp
from .matching import refresh_after

VIEWERS = ("paralegal", "lawyer", "admin")


def _render(person_id: str | None, submissions: list[dict]):
    db = get_db()
    ids = [s["id"] for s in submissions]
    targets = [f"submission:{i}" for i in ids] + ([f"person:{person_id}"] if person_id else [])
    return render_template(
        "staff/person.html",
        person_id=person_id,
        submissions=submissions,
        pairs=store.pairs_touching(db, ids),
        decisions=store.decisions_touching(db, ids),
        history=store.audit_for_targets(db, targets),
        can_split=g.user["role"] in ("paralegal", "admin") and len(submissions) > 1,
    )


@bp.route("/persons/<person_id>")
@require_role(*VIEWERS)
def person(person_id: str):
    """All submissions of one person."""
    submissions = store.person_submissions(get_db(), person_id)
    if not submissions:
        abort(404)
    return _render(person_id, submissions)


@bp.route("/submissions/<int:submission_id>")
@require_role(*VIEWERS)
def submission(submission_id: int):
    """A submission's person page (or the submission alone before it was matched)."""
    row = store.get_submission(get_db(), submission_id)
    if row is None:
        abort(404)
    if row["person_id"]:
        return redirect(url_for("staff.person", person_id=row["person_id"]) + f"#s{row['id']}")
    return _render(None, [row])


@bp.route("/persons/<person_id>/split", methods=["POST"])
@require_role("paralegal", "admin")
def split(person_id: str):
    """Take one submission out of a person: 'different' on each of its links, then recluster."""
    db = get_db()
    try:
        submission_id = int(request.form.get("submission_id", ""))
    except ValueError:
        abort(400)
    members = [s["id"] for s in store.person_submissions(db, person_id)]
    if submission_id not in members or len(members) < 2:
        abort(400)
    others = [i for i in members if i != submission_id]
    links = store.links_within(db, submission_id, others)
    note = (request.form.get("note") or "").strip()[:2000] or None
    for id_l, id_r in links:
        add_decision(db, "dedup", id_l, id_r, "different", user_id=g.user["id"], note=note)
    audit(
        db,
        "person_split",
        user_id=g.user["id"],
        target=f"person:{person_id}",
        submission_id=submission_id,
        pairs=len(links),
    )
    refresh_after(db, "dedup", [submission_id, *others])
    flash(_("Submission #%(id)s was split out (%(n)s links cut).", id=submission_id, n=len(links)))
    if store.person_submissions(db, person_id):
        return redirect(url_for("staff.person", person_id=person_id))
    return redirect(url_for("staff.submission", submission_id=others[0]))
