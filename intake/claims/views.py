"""Public pages: the claim form, the receipt, and the e-mail confirmation link.

Everything a visitor sees is the same whether or not they are on the affected list or have
filed before: the matcher and the mail run after the response (``call_on_close``), held
(bot-like) claims get the same receipt, and the receipt shows only the new reference.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ..db import get_db, open_db
from ..store.submissions import get_by_ref, insert_submission, mark_email_confirmed
from ..web import ip_hash, limiter
from . import mail
from .forms import ClaimForm
from .hooks import after_submit
from .record import build_record, hold_reason, new_form_stamp, stamp_age
from .uploads import save_evidence

log = logging.getLogger(__name__)

bp = Blueprint("claims", __name__)
RECEIPT_KEY = "receipt_ref"


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def index():
    """The claim form; a valid POST stores the claim and redirects (303) to the receipt."""
    form = ClaimForm()
    secret = current_app.config["SECRET_KEY"]
    if form.validate_on_submit():
        return _accept(form)
    if stamp_age(secret, form.ts.data) is None:
        form.ts.data = new_form_stamp(secret)  # first view (or a forged stamp): start the clock
    status = 400 if request.method == "POST" else 200
    return render_template("claims/form.html", form=form), status


def _accept(form: ClaimForm):
    config = current_app.config
    reason = hold_reason(form, config["SECRET_KEY"], float(config["MIN_FILL_SECONDS"]))
    evidence = None
    if form.evidence_upload is not None:
        name = save_evidence(form.evidence_upload, config["UPLOAD_FOLDER"])
        evidence = (name, form.evidence_upload.mime)
    record = build_record(form, ip_hash=ip_hash(), evidence=evidence)
    if reason:
        record["held"], record["hold_reason"] = 1, reason
    sid, ref = insert_submission(get_db(), record)
    log.info("claim stored: submission %s%s", sid, " (held)" if reason else "")
    session[RECEIPT_KEY] = ref
    message = None if reason else _confirmation_message(record["email"], ref)
    response = redirect(url_for("claims.receipt"), 303)
    app = current_app._get_current_object()
    response.call_on_close(lambda: _after_response(app, sid, message, run_hooks=not reason))
    return response


def _confirmation_message(to: str, ref: str):
    config = current_app.config
    token = mail.make_token(config["SECRET_KEY"], ref)
    path = url_for("claims.confirm", token=token)
    base = config.get("PUBLIC_BASE_URL")
    link = (
        base.rstrip("/") + path if base else url_for("claims.confirm", token=token, _external=True)
    )
    days = int(config["CONFIRM_MAX_AGE_SECONDS"]) // 86400
    body = "\n\n".join(
        [
            _("Thank you. We have received your claim."),
            _("Your claim reference: %(ref)s", ref=ref),
            _(
                "Please confirm that this e-mail address is yours by opening the link below "
                "within %(days)d days:",
                days=days,
            )
            + "\n"
            + link,
            _(
                "If you did not file a claim, ignore this message: nothing happens unless "
                "the link is opened."
            ),
            _("Never send your resident registration number, passwords or bank details by e-mail."),
        ]
    )
    subject = _("[Coupang breach claim] Please confirm your e-mail (%(ref)s)", ref=ref)
    return mail.build_message(sender=config["MAIL_FROM"], to=to, subject=subject, body=body)


def _after_response(app: Flask, sid: int, message, *, run_hooks: bool) -> None:
    """Matching and mail, once the claimant already has the redirect (no timing oracle)."""
    with app.app_context():
        if run_hooks:
            db = open_db(app.config)
            try:
                after_submit(db, sid, app.config)
            finally:
                db.conn.close()
        if message is not None:
            try:
                mail.send(message, app.config)
            except Exception as exc:  # noqa: BLE001 - the claim is stored; staff can resend
                log.error(
                    "confirmation mail for submission %s failed (%s)", sid, type(exc).__name__
                )


@bp.route("/receipt")
def receipt():
    """The receipt: held in this browser's session only, so references cannot be enumerated."""
    ref = session.get(RECEIPT_KEY)
    if not ref:
        return redirect(url_for("claims.index"), 303)
    return render_template("claims/receipt.html", ref=ref)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button (mail scanners follow links); POST records the confirmation."""
    config = current_app.config
    ref = mail.read_token(config["SECRET_KEY"], token, int(config["CONFIRM_MAX_AGE_SECONDS"]))
    submission = get_by_ref(get_db(), ref) if ref else None
    if submission is None:
        return render_template("claims/confirm.html", state="invalid"), 400
    if request.method == "POST":
        mark_email_confirmed(get_db(), submission["id"])
        log.info("e-mail confirmed: submission %s", submission["id"])
        return render_template("claims/confirm.html", state="done", ref=ref)
    return render_template("claims/confirm.html", state="ask", ref=ref)


@bp.errorhandler(CSRFError)
def csrf_error(_exc):
    return render_template("claims/error.html", kind="csrf"), 400


@bp.errorhandler(413)
def too_large(_exc):
    return render_template("claims/error.html", kind="too_large"), 413


@bp.errorhandler(429)
def too_many(_exc):
    return render_template("claims/error.html", kind="rate_limited"), 429
