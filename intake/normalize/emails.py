"""E-mail addresses: lower-cased value, a mailbox key for matching, typo-domain suggestions.

Why a mailbox key: hanmail.net and daum.net are one Daum/Kakao mailbox, googlemail.com is gmail,
and Gmail ignores dots and +tags, so one claimant can type one mailbox many ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from .junk import JUNK_EMAIL_DOMAINS, JUNK_EMAIL_LOCALS, is_junk
from .text import HANGUL_SYLLABLE, clean_text
from .typing_ko import hangul_to_keys


@dataclass(frozen=True, slots=True)
class EmailNorm:
    """A normalised e-mail: value (lower-cased) or None, mailbox key, typo-domain suggestion."""

    value: str | None
    key: str | None = None
    suggestion: str | None = None
    flags: tuple[str, ...] = ()


DOMAIN_ALIASES = {"hanmail.net": "daum.net", "googlemail.com": "gmail.com"}
TYPO_DOMAINS = {
    **dict.fromkeys(
        [
            "naver.con",
            "naver.co",
            "naver.cm",
            "naver.om",
            "naver.comm",
            "naver.coom",
            "naver.vom",
            "naver.xom",
            "naver.cpm",
            "navar.com",
            "nave.com",
            "naver.ocm",
            "nver.com",
            "naer.com",
            "navr.com",
            "naber.com",
            "naverr.com",
            "nnaver.com",
            "navercom",
            "naver.c0m",
            "naevr.com",
            "never.com",
            "maver.com",
        ],
        "naver.com",
    ),
    **dict.fromkeys(
        [
            "gmail.con",
            "gmail.co",
            "gmail.cm",
            "gmail.om",
            "gmial.com",
            "gamil.com",
            "gmai.com",
            "gmal.com",
            "gmaill.com",
            "gmil.com",
            "gnail.com",
            "gmail.comm",
            "gmail.vom",
            "gmali.com",
            "gmaio.com",
            "gmail.ocm",
            "gmailcom",
            "gmail.c0m",
            "gmeil.com",
        ],
        "gmail.com",
    ),
    **dict.fromkeys(
        [
            "hanmail.com",
            "hanmail.ner",
            "hanmail.nte",
            "hanmail.et",
            "hanmai.net",
            "hanmil.net",
            "hamail.net",
            "hanmail.ent",
            "hanmaill.net",
            "hanmial.net",
            "hanmail.co",
            "hanmail.met",
        ],
        "hanmail.net",
    ),
    **dict.fromkeys(
        ["daum.com", "daum.ner", "daum.nte", "duam.net", "daum.et", "dauml.net"], "daum.net"
    ),
    **dict.fromkeys(["nate.net", "nate.con", "nate.co", "naet.com", "nat.com"], "nate.com"),
    **dict.fromkeys(["kakao.con", "kakao.co", "kakao.net", "kakako.com", "kako.com"], "kakao.com"),
    # the domain without its TLD
    "naver": "naver.com",
    "gmail": "gmail.com",
    "hanmail": "hanmail.net",
    "daum": "daum.net",
    "nate": "nate.com",
    "kakao": "kakao.com",
    **dict.fromkeys(["hotmail.con", "hotmial.com", "hotmail.co", "homail.com"], "hotmail.com"),
}
_SPECIAL_TLDS = {"arpa", "invalid", "local", "localhost", "onion", "test"}
# Plain ASCII addresses email_validator accepts unchanged (tests check the equivalence).
_FAST = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})"
)
_MISSING = EmailNorm(None)
_ANGLE = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")
# Domains and local parts that need the full (slow) checks: typos and placeholders.
_SLOW_DOMAINS = frozenset(TYPO_DOMAINS) | JUNK_EMAIL_DOMAINS
_JUNK_LOCALS = JUNK_EMAIL_LOCALS


def mailbox_key(address: str) -> str:
    """Mailbox key of a valid lower-cased address (aliases folded, Gmail dots/+tags dropped)."""
    local, _, domain = address.rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain == "gmail.com":
        local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}"


def _valid(address: str) -> bool:
    m = _FAST.fullmatch(address)
    if m is not None:
        return m.group(1) not in _SPECIAL_TLDS and len(address) <= 254 and address.index("@") <= 64
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return False
    return True


def normalize_email(s: str | None) -> EmailNorm:
    """Normalise an e-mail as typed: value lower-cased or None, key for matching, suggestion."""
    if s is None:
        return _MISSING
    if not isinstance(s, str):
        s = str(s)
    if s.isascii():
        low = "".join(s.split()).lower() if " " in s or not s.islower() else s
        m = _FAST.fullmatch(low)
        if m is not None and m.group(1) not in _SPECIAL_TLDS and len(low) <= 254:
            local, _, domain = low.partition("@")
            if (
                len(local) <= 64
                and domain not in _SLOW_DOMAINS
                and local not in _JUNK_LOCALS
                and not domain.startswith("example.")
            ):
                return EmailNorm(low, mailbox_key(low))
    return _slow(s)


# The two halves of _FAST (it has no "@" in either, so an address matches _FAST exactly when its
# part before the first "@" matches _FAST_LOCAL and the rest matches _FAST_DOMAIN).
_FAST_LOCAL = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*")
_FAST_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})")
_DOMAIN_CACHE: dict[str, str | None] = {}  # domain -> key domain, or None: take the full path
_DOMAIN_CACHE_MAX = 1 << 16


def _key_domain(domain: str) -> str | None:
    """The mailbox-key domain of a domain the fast path accepts, else None (cached: a list of
    33.7M addresses has a few thousand domains)."""
    out = _DOMAIN_CACHE.get(domain, "")
    if out != "":
        return out
    m = _FAST_DOMAIN.fullmatch(domain)
    if (
        m is None
        or m.group(1) in _SPECIAL_TLDS
        or domain in _SLOW_DOMAINS
        or domain.startswith("example.")
    ):
        out = None
    else:
        out = DOMAIN_ALIASES.get(domain, domain)
    if len(_DOMAIN_CACHE) < _DOMAIN_CACHE_MAX:
        _DOMAIN_CACHE[domain] = out
    return out


def email_key(s: str) -> str | None:
    """Just the mailbox key of ``s`` (what record_keys stores), without building an EmailNorm.

    Same result as ``normalize_email(s).key`` (tests compare them on generated addresses)."""
    if s.isascii() and s.islower() and " " not in s and len(s) <= 254:
        local, _, domain = s.partition("@")
        if len(local) <= 64 and local not in _JUNK_LOCALS and _FAST_LOCAL.fullmatch(local):
            domain = _DOMAIN_CACHE.get(domain) or _key_domain(domain)
            if domain is not None:
                if domain == "gmail.com":
                    local = local.split("+", 1)[0].replace(".", "")
                return f"{local}@{domain}"
    return normalize_email(s).key


def _slow(raw: str) -> EmailNorm:
    s = "".join(clean_text(raw).split()).lower()
    if not s:
        return _MISSING
    if is_junk("email", s):
        return EmailNorm(None, flags=("junk",))
    flags: list[str] = []
    s = s.replace("＠", "@")
    inner = _ANGLE.search(s)  # 'Kim Minjun <kim@naver.com>' as copied from a mail client
    if inner is not None:
        s = inner.group(1)
    s = s.strip(",;:<>()[]'\"").rstrip(".")
    if s.startswith("mailto:"):
        s = s[7:]
    value: str | None = s
    suggestion: str | None = None
    if not s.isascii():
        flags.append(
            "non_ascii_local" if not HANGUL_SYLLABLE.search(s.partition("@")[2]) else "non_ascii"
        )
        converted = hangul_to_keys(s).lower()
        value = None
        if converted != s and converted.isascii() and _valid(converted):
            flags.append("ime_converted")
            suggestion = converted
        s = converted
    if "@" not in s or not s.isascii():
        return EmailNorm(None, None, suggestion, (*flags, "invalid"))
    local, _, domain = s.rpartition("@")
    fixed = TYPO_DOMAINS.get(domain)
    if fixed is not None:
        flags.append("typo_domain")
        suggestion = f"{local}@{fixed}"
    if not _valid(s):
        if suggestion is None or not _valid(suggestion):
            return EmailNorm(None, None, suggestion, (*flags, "invalid"))
        value = None
        flags.append("invalid")
    key = mailbox_key(suggestion if suggestion is not None else s)
    if is_junk("email", key):
        return EmailNorm(None, None, None, (*flags, "junk"))
    return EmailNorm(value, key, suggestion, tuple(flags))
