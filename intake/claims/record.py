"""Turn a validated claim form into a ``submissions`` row, and decide whether to hold it.

Kept apart from the views so the mapping form → columns is in one small place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..normalize import clean_text
from .forms import ClaimForm

RAW_FIELDS = (
    "claimant_type", "notice", "notice_date", "name", "birth_date", "phone", "email",
    "address", "postal_code", "login_email", "login_phone", "harm_other", "other_suit",
    "guardian_name", "guardian_relation", "guardian_contact",
)  # fmt: skip
CONSENTS = ("collect", "provide", "truth", "age14", "guardian")
TS_SALT = "intake-form-started"


def new_form_stamp(secret_key: str) -> str:
    """Signed 'form shown at' time: the minimum-fill-time check cannot be forged by a bot."""
    return URLSafeTimedSerializer(secret_key, salt=TS_SALT).dumps("f")


def stamp_age(secret_key: str, stamp: str | None) -> float | None:
    """Seconds since the form was shown, or None when the stamp is missing or forged."""
    if not stamp:
        return None
    try:
        _, signed_at = URLSafeTimedSerializer(secret_key, salt=TS_SALT).loads(
            stamp, return_timestamp=True
        )
    except BadSignature:
        return None
    return (datetime.now(UTC) - signed_at).total_seconds()


def hold_reason(form: ClaimForm, secret_key: str, min_seconds: float) -> str | None:
    """Why a submission looks automated ('honeypot', 'no_timestamp', 'too_fast'), else None.

    Held claims are stored and answered exactly like any other; only reviewers see the reason.
    """
    if (form.website.data or "").strip():
        return "honeypot"
    age = stamp_age(secret_key, form.ts.data)
    if age is None:
        return "no_timestamp"
    if age < min_seconds:
        return "too_fast"
    return None


def build_record(form: ClaimForm, *, ip_hash: str, evidence: tuple[str, str] | None) -> dict:
    """The row to insert: normalised values, the raw input as typed, flags and consent times."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    checked = form.checked

    def value(key: str) -> str | None:
        return checked[key].value if key in checked else None

    flags: list[str] = []
    for key, result in checked.items():
        flags.extend(f"{key}:{flag}" for flag in result.flags)
    under_14 = form.under_14()
    birth = value("birth_date")
    if birth and _age_years(birth) < 19:
        flags.append("minor")
    if under_14:
        flags.append("under_14")

    consents: dict[str, str] = {}
    for item in CONSENTS:
        if item in ("age14", "guardian") and (item == "age14") == under_14:
            continue  # only the age branch that applies is recorded
        if getattr(form, f"consent_{item}").data:
            consents[item] = now

    raw: dict[str, Any] = {
        name: getattr(form, name).raw_data[0] if getattr(form, name).raw_data else None
        for name in RAW_FIELDS
    }
    raw["harms"] = list(form.harms.raw_data or [])
    if (form.website.data or "").strip():
        raw["_honeypot"] = form.website.data[:200]
    if not under_14:  # data minimisation: a guardian is only collected for children under 14
        for name in ("guardian_name", "guardian_relation", "guardian_contact"):
            raw.pop(name, None)

    address = checked.get("address")
    postal = value("postal_code") or (address.extra.get("postal_code") if address else None)
    record = {
        "source": "web",
        "name": value("name"),
        "email": value("email"),
        "phone": value("phone"),
        "address": value("address"),
        "postal_code": postal,
        "birth_date": birth,
        "raw": raw,
        "flags": sorted(set(flags)),
        "claimant_type": form.claimant_type.data,
        "notice": form.notice.data,
        "notice_date": form.notice_date.data or None,
        "login_email": value("login_email"),
        "login_phone": value("login_phone"),
        "harms": list(form.harms.data or []),
        "harm_other": (form.harm_other.data or "").strip() or None
        if "other" in (form.harms.data or [])
        else None,
        "other_suit": 1 if form.other_suit.data == "yes" else 0,
        "consents": consents,
        "consent_at": now,
        "ip_hash": ip_hash,
    }
    if under_14:
        record["guardian_name"] = clean_text(form.guardian_name.data)
        record["guardian_relation"] = clean_text(form.guardian_relation.data)
        record["guardian_contact"] = value("guardian_contact")
    if evidence:
        record["evidence_file"], record["evidence_type"] = evidence
    return record


def _age_years(birth_iso: str) -> int:
    from datetime import date

    from .validators import age_on

    return age_on(date.fromisoformat(birth_iso), date.today())
