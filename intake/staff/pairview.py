"""What the pair page shows: per-field differences and the explanation as a waterfall."""

from __future__ import annotations

from .diff import field_diff

KEYS = {
    "name": ("k_name",),
    "email": ("k_email",),
    "phone": ("k_phone",),
    "postal_code": ("k_postcode",),
    "birth_date": ("k_birth",),
    "address": ("k_addr", "k_unit"),
}


def _text(value) -> str:
    return "" if value is None else str(value)


def _diff(field: str, left: dict, right: dict) -> dict:
    """Character runs to highlight; when the normalised keys agree (010-1234-5678 and
    01012345678 are the same number) the runs are marked as mere spelling differences."""
    a, b = _text(left.get(field)), _text(right.get(field))
    keys = KEYS.get(field, ())
    key_l = tuple(left.get(k) for k in keys)
    same_key = bool(keys) and key_l[0] is not None and key_l == tuple(right.get(k) for k in keys)
    out = field_diff(a, b)
    out["spelling"] = same_key and a != b  # differences shown softly: the keys agree
    if field != "name":
        out["jamo"] = None  # jamo rows help for names; for addresses they are noise
    else:
        out["latin"] = _romanised(left.get("k_name"), right.get("k_name"))
    return out


def _romanised(key_l: str | None, key_r: str | None) -> tuple[str, str] | None:
    """For 이서연 vs Lee Seoyeon: both names' romanised skeletons, which the matcher compares."""
    if not key_l or not key_r:
        return None
    from ..normalize import name_forms

    forms_l, forms_r = name_forms(key_l), name_forms(key_r)
    if forms_l.script == forms_r.script:
        return None
    return forms_l.latin, forms_r.latin


def bars(explanation: list, weight: float | None = None) -> list[dict]:
    """Explanation rows with a bar width class (0-20, 0.5 bit steps up to 10 bits), then the
    prior (the base rate the fields start from) and the total, as in Splink's waterfall."""
    out = []
    for item in explanation or []:
        bits = float(item.get("bits") or 0.0)
        out.append({**item, "bits": bits, "width": min(20, round(abs(bits) * 2))})
    if not out:
        return []
    fields = sum(item["bits"] for item in out)
    total = fields if weight is None else float(weight)
    prior = total - fields
    if abs(prior) >= 0.05:
        width = min(20, round(abs(prior) * 2))
        out.append({"field": "prior", "level": "", "bits": prior, "width": width})
    return [*out, {"field": "total", "level": "", "bits": total, "width": 0}]


def field_diffs(fields: tuple[str, ...], left: dict, right: dict) -> list[tuple[str, dict]]:
    """(field, differences) for each field shown side by side."""
    return [(f, _diff(f, left, right)) for f in fields]
