"""Blocking: which pairs get compared at all. Several rules, unioned; nothing quadratic.

Why several rules: each one misses duplicates the others catch (a new e-mail, a mistyped name, a
moved household). Why a cap: a block of all 김민준 born in 1990 would be quadratic, so blocks over
``block_cap`` records are compared only within a sliding window sorted by a second key (records
that look most alike end up next to each other), and the report says how many were split.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import stable_argsort, unique_inverse
from .frame import KeyFrame
from .settings import MatchSettings


@dataclass(frozen=True)
class Rule:
    """Records agreeing on all ``columns`` (none missing) are candidate pairs."""

    name: str
    columns: tuple[str, ...]
    window_sort: str  # order inside an oversized block
    window: int | None = None  # None: settings.block_window; rules of common values: smaller
    max_block: int | None = None  # broad rules: blocks over this are left to the other rules


BROAD_MAX_BLOCK = 10
HOUSE_MAX = BROAD_MAX_BLOCK

RULES: tuple[Rule, ...] = (
    Rule("email", ("email",), "name"),
    Rule("phone", ("phone",), "name"),
    # A name and a birth year, or initials and a postcode, are shared by strangers more often
    # the more claims there are: at a million Korean claims their blocks of 11-30 (김민준 born
    # in 1990) gave 4.6M of 5.5M candidates, and no true pair in the review or auto-link band
    # that another rule did not propose too; the pairs of a block grow with its square. What
    # these two rules are for is a typo: a birth date off by a few days under one name, a
    # mistyped name with the birth date kept. Sorted by birth date such a pair sits side by
    # side, so each record is compared with its nearest neighbours only (2 on each side; 4
    # for initials, where missing birth dates sort first), whatever the block's size. FEBRL
    # and the Korean benchmark keep every true pair (docs/benchmarks/matcher.md, "Round 9").
    Rule("name_birth_year", ("name_block", "birth_year"), "birth_date", window=3),
    Rule("name_postcode", ("name_block", "postal_code"), "address"),
    Rule("initials_birth_date", ("initials", "birth_date"), "name"),
    Rule("birth_date_postcode", ("birth_date", "postal_code"), "name"),
    Rule("name_phone_tail", ("name_block", "phone_tail"), "phone"),
    Rule("name_building", ("name_block", "building"), "address"),
    Rule("initials_postcode", ("initials", "postal_code"), "birth_date", window=5),
    # The broad rules catch a duplicate whose other keys all changed, which only happens in
    # small blocks (a rare name, a small building). In a block of hundreds of 김민준 or one
    # apartment complex their window pairs are strangers: at 100k Korean submissions blocks
    # over 10 gave ~200k candidates (half of all) and no true pair, so they are skipped.
    Rule("name", ("name_block",), "birth_date", window=3, max_block=BROAD_MAX_BLOCK),
    Rule("building", ("building",), "name", window=3, max_block=BROAD_MAX_BLOCK),
    # Free-text (Latin) addresses: the same house number and street, whatever locality or
    # suburb part was added, dropped or mistyped further on (a typo'd name then has no other
    # shared key). Korean keys have no house_street (None), so on Korean data it proposes none.
    # One house holds few records: all pairs of a block of up to 10 (45 at most), not a window
    # of 3 neighbours by name (a mistyped name sorts anywhere in the block).
    Rule("house_street", ("house_street",), "name", window=HOUSE_MAX, max_block=HOUSE_MAX),
    Rule("birth_date", ("birth_date",), "name", window=3, max_block=BROAD_MAX_BLOCK),
)


@dataclass
class Candidates:
    """Candidate pairs as row indices into a frame (left < right), with the first rule's index."""

    left: np.ndarray
    right: np.ndarray
    rule: np.ndarray
    per_rule: dict[str, int] = field(default_factory=dict)  # pairs each rule proposed
    split_blocks: dict[str, int] = field(default_factory=dict)  # oversized blocks windowed
    proposed: np.ndarray | None = None  # bit r set: rule r proposed the pair (recall estimate)
    n: int = 1  # pair keys are left * n + right
    rules: tuple[Rule, ...] = ()

    def __len__(self) -> int:
        return len(self.left)


def _block_key(frame: KeyFrame, columns: tuple[str, ...]) -> np.ndarray:
    """One int64 per record combining the codes of ``columns``; -1 where any is missing."""
    key = np.zeros(len(frame), dtype=np.int64)
    valid = np.ones(len(frame), dtype=bool)
    for col in columns:
        codes = frame.codes[col]
        valid &= codes >= 0
        key = key * (len(frame.uniques[col]) + 1) + codes
    key[~valid] = -1
    return key


def _block_order(frame: KeyFrame, rule: Rule, key: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Order of ``rows`` by (block key, window-sort code, id). ``rows`` ascend, and so do the
    frame's ids, so a stable sort of one combined int64 gives the same order as the lexsort of
    three keys in a third of the time (``stable_argsort``: one SIMD sort of key and position);
    the lexsort stays for keys that would overflow."""
    wsort = frame.codes[rule.window_sort][rows]
    span = len(frame.uniques[rule.window_sort]) + 1
    ascending = rows.size < 2 or bool((np.diff(frame.ids[rows]) > 0).all())
    if ascending and rows.size and (int(key[rows].max()) + 1) * span < 2**62:
        k = key[rows]
        if (int(k.max()) + 1) * span >= 1 << (63 - rows.size.bit_length()):
            k = unique_inverse(k)[1]  # dense ranks of the keys (same order): room to pack
        return stable_argsort(k * span + (wsort + 1))
    return np.lexsort((frame.ids[rows], wsort, key[rows]))


def rule_pairs(
    frame: KeyFrame,
    rule: Rule,
    settings: MatchSettings,
    new: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs (i, j), i < j as row indices, of one rule; with ``new`` only pairs touching a new
    row. Returns (i, j, number of oversized blocks)."""
    key = _block_key(frame, rule.columns)
    rows = np.flatnonzero(key >= 0)
    if new is not None:
        # keep only blocks that contain at least one new row
        new_keys = np.unique(key[rows[new[rows]]])
        rows = rows[np.isin(key[rows], new_keys)]
    empty = np.empty(0, np.int64)
    if len(rows) < 2:
        return empty, empty, 0
    rows = rows[_block_order(frame, rule, key, rows)]
    k = key[rows]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    skipped = 0
    if rule.max_block is not None and (sizes > rule.max_block).any():
        small = sizes <= rule.max_block
        skipped = int((~small).sum())
        rows = rows[np.repeat(small, sizes)]
        starts = np.r_[0, np.cumsum(sizes[small])[:-1]] if small.any() else starts[:0]
        sizes = sizes[small]
        if len(rows) < 2:
            return empty, empty, skipped
        k = key[rows]
    size_of = np.repeat(sizes, sizes)
    end_of = np.repeat(starts + sizes, sizes)
    pos = np.arange(len(k))
    window = rule.window or settings.block_window
    limit = np.where(size_of > min(settings.block_cap, window), window, size_of)
    limit = np.minimum(limit, end_of - pos) - 1  # neighbours to pair with, to the right
    active = np.flatnonzero(limit > 0)
    lefts, rights = [], []
    d = 1
    while len(active):
        lefts.append(rows[active])
        rights.append(rows[active + d])
        active = active[limit[active] > d]
        d += 1
    oversized = int((sizes > min(settings.block_cap, window)).sum()) + skipped
    if not lefts:
        return empty, empty, oversized
    a, b = np.concatenate(lefts), np.concatenate(rights)
    if new is not None:
        keep = new[a] | new[b]
        a, b = a[keep], b[keep]
    return np.minimum(a, b), np.maximum(a, b), oversized


def candidate_pairs(
    frame: KeyFrame,
    settings: MatchSettings,
    *,
    new: np.ndarray | None = None,
    rules: tuple[Rule, ...] = RULES,
) -> Candidates:
    """The union of every rule's pairs, each attributed to the first rule that proposed it.

    One sort of all rules' pairs, each tagged with its rule in the low bits: the first of a run
    of equal pairs carries the first rule, and the run's OR of rule bits says which rules
    proposed the pair (for the recall estimate). A rule's own pairs are distinct (a record sits
    in one block, and each window offset pairs two positions once), so they need no sort."""
    n = max(len(frame), 1)
    bits = max(1, (len(rules) - 1).bit_length())
    tagged, per_rule, split = [], {}, {}
    for r, rule in enumerate(rules):
        a, b, oversized = rule_pairs(frame, rule, settings, new)
        per_rule[rule.name] = len(a)
        split[rule.name] = oversized
        tagged.append(((a.astype(np.int64) * n + b) << bits) | r)
    allk = np.concatenate(tagged) if tagged else np.empty(0, np.int64)
    allk.sort()
    key, rule = allk >> bits, (allk & ((1 << bits) - 1)).astype(np.int8)
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.empty(0, int)
    uniq = key[first]
    proposed = (
        np.bitwise_or.reduceat(np.left_shift(1, rule.astype(np.int64)), first)
        if len(first)
        else np.empty(0, np.int64)
    )
    return Candidates(uniq // n, uniq % n, rule[first], per_rule, split, proposed, n, rules)


def estimated_recall(cands: Candidates, linked_keys: np.ndarray) -> float | None:
    """Capture–recapture estimate of blocking recall from the pairs that were auto-linked
    (``linked_keys``: left * n + right of candidate pairs).

    Each rule's share of the linked pairs estimates its recall; assuming rules miss duplicates
    independently, the union misses the product of their miss rates."""
    if len(linked_keys) == 0:
        return None
    at = np.searchsorted(cands.left.astype(np.int64) * cands.n + cands.right, linked_keys)
    proposed = cands.proposed[at]
    miss = 1.0
    for r in range(len(cands.rules)):
        share = ((proposed >> r) & 1).mean()
        miss *= 1.0 - float(share)
    return 1.0 - miss
