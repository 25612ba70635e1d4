"""``/staff/export``: lawyers and admins download the counsel workbook, with the CLI's filters.

The workbook is written to a temporary file (write-only openpyxl: memory stays flat whatever
the row count), the file is unlinked as soon as it is open, and the open handle is streamed by
``send_file``, so nothing with personal data is left on disk even if the download is aborted.
Every download is in the audit log with the user's id (filters and counts, no PII).
"""

from __future__ import annotations

import os
import tempfile

from flask import current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..db import get_db
from ..export import matcher_settings, write_workbook
from ..store.report import KST, STATUSES
from .auth import require_role
from .blueprint import bp

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export")
@require_role("lawyer", "admin")
def export_page():
    """The filter form (statuses, filing days, personal data on/off)."""
    return render_template("staff/export.html", statuses=STATUSES)


@bp.post("/export.xlsx")
@require_role("lawyer", "admin")
def export_xlsx():
    """Build the workbook with the chosen filters and stream it as an attachment."""
    from datetime import datetime

    chosen = [s for s in request.form.getlist("status") if s]
    if not chosen:
        flash(_("Choose at least one account status."), "error")
        return redirect(url_for("staff.export_page"))
    config = current_app.config
    fd, path = tempfile.mkstemp(prefix="intake-export-", suffix=".xlsx")
    os.close(fd)
    try:
        write_workbook(
            get_db(),
            path,
            statuses=chosen,
            since=request.form.get("since") or None,
            until=request.form.get("until") or None,
            include_pii=not request.form.get("minimal"),
            generated_by=f"{g.user['email']} (staff web)",
            max_rows_per_sheet=config["EXPORT_MAX_ROWS_PER_SHEET"],
            thresholds=matcher_settings(config),
            user_id=g.user["id"],
        )
        handle = open(path, "rb")  # noqa: SIM115  (closed by send_file when the response ends)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.export_page"))
    finally:
        os.unlink(path)  # the open handle keeps the data readable until the download ends
    stamp = datetime.now(KST).strftime("%Y%m%d-%H%M")
    response = send_file(
        handle,
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"intake-export-{stamp}.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: no browser/proxy copy
    return response
