"""Romanisation for comparing Hangul and Latin names: surname variant table, RR, skeleton.

Why not a romaniser package: real-world spellings (Kim, Lee, Park, Choi) never equal the official
Revised Romanization (Gim, I, Bak, Choe), so surnames go through a variant table and given names
through a 'skeleton' that folds the usual spelling choices (oo/u, eo/u, k/g, p/b, r/l, ...).

The surname table was written for intake from public passport-spelling statistics and common
usage; it follows the shape of the MIT-licensed ``name-variants`` package's
KOREAN_SURNAME_VARIANTS (credit to its authors) and adds the compound surnames and spellings it
lacks (Paik, Chun, Namgoong, ...). Ordered by frequency (2015 census); when a spelling fits two
surnames (chu: 주/추) the more frequent one keeps it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import SBASE, SLAST

_SURNAMES = """
김 kim gim ghim kym keem
이 lee yi rhee i li ie rhie ree rhi lie yee leigh
박 park bak pak bahk parck pahk
최 choi choe choy chey
정 jung jeong chung jeung chong cheong joung jong
강 kang gang khang kahng
조 cho jo joe cho chough
윤 yoon yun youn yoen
장 jang chang zang jhang
임 lim im yim leem rim ihm
한 han hahn hann
오 oh o ohe
서 seo suh seoh
신 shin sin shinn syn
권 kwon gwon kweon kwun kuon
황 hwang whang hoang
안 ahn an ann
송 song soung
전 jeon jun chun chon jeun
홍 hong houng
유 yoo yu you ryu ryoo lyu yuh
고 ko go koh goh kho
문 moon mun muhn moun
양 yang ryang lyang
손 son sohn shon sonn
배 bae bai pae bea bay
백 baek paik baik back paek baeg pack beak
허 heo hur huh her hu
남 nam nahm
심 shim sim seem sym
노 noh no roh ro nho rho
하 ha hah
곽 kwak gwak kwack kwag
성 sung seong sheong
차 cha char chah
주 joo ju chu
우 woo wu u
구 koo ku gu goo kou
민 min mihn
나 na ra nah la
진 jin chin jeen
지 ji jee chi
엄 um eom uhm aum
채 chae chai che chea
원 won weon woon
천 cheon chyun choun
방 bang pang
공 kong gong khong
현 hyun hyeon hyon hyoun
함 ham hahm
변 byun byeon pyun pyon byon byoun
염 yeom yum yeum youm ryeom
여 yeo yuh yo yeu ryeo
추 choo chou
도 do doh toh to
소 so soh
석 seok suk sok seog
선 sun seon
설 seol sul sol seul
마 ma mah
길 gil kil ghil keel
연 yeon yon yeun
위 wi wee we wie
표 pyo pyoh pio
명 myung myeong myoung
기 ki gi kee
반 ban pan bahn
왕 wang
금 keum geum kum gum
옥 ok ock oak
육 yook yuk ryuk
인 in inn
맹 maeng meng mang
제 je jhe
모 mo moh
탁 tak tark tahk
국 kook kuk guk gook
어 eo uh
은 eun un
편 pyeon pyon
용 yong ryong
예 ye yea yeh
경 kyung kyeong gyeong kyoung
봉 bong pong
사 sa sah
부 bu boo pu
황보 hwangbo whangbo
남궁 namgoong namkung namgung namkoong
제갈 jegal jekal chegal
선우 sunwoo seonwoo sunwu seonu
독고 dokgo dokko tokko
사공 sagong sakong
서문 seomun seomoon suhmoon
"""

# 두음법칙 pairs: since 2007 people may register either spelling (柳 = 류/유).
DUEUM = {
    "류": "유", "리": "이", "림": "임", "라": "나", "로": "노", "량": "양", "려": "여",
    "렴": "염", "룡": "용", "륙": "육", "뢰": "뇌", "란": "난", "랑": "낭", "련": "연",
}  # fmt: skip
COMPOUND_SURNAMES = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문"})


SURNAME_SPELLINGS: dict[str, tuple[str, ...]] = {}  # Hangul surname -> its Latin spellings


def _load() -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    spellings_of = SURNAME_SPELLINGS
    canon: dict[str, str] = {}  # Hangul surname -> canonical Latin spelling
    latin: dict[str, str] = {}  # any Latin spelling -> canonical Latin spelling
    rank: dict[str, int] = {}  # canonical Latin spelling -> frequency rank (0 = most common)
    for i, line in enumerate(_SURNAMES.strip().splitlines()):
        hangul, *spellings = line.replace("?", "").split()
        canon[hangul] = spellings[0]
        spellings_of[hangul] = tuple(spellings)
        rank.setdefault(spellings[0], i)
        for sp in spellings:
            latin.setdefault(sp, spellings[0])
    for old, new in DUEUM.items():
        if new in canon and old not in canon:
            canon[old] = canon[new]
    return canon, latin, rank


SURNAME_LATIN, LATIN_SURNAME, SURNAME_RANK = _load()

# Revised Romanization, syllable by syllable without assimilation (names are romanised so).
_RR_CHO = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k",
           "t", "p", "h")  # fmt: skip
_RR_JUNG = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u",
            "wo", "we", "wi", "yu", "eu", "ui", "i")  # fmt: skip
_RR_JONG = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m",
            "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip


def rr(s: str) -> str:
    """Revised Romanization of Hangul syllables, one by one (한복남 -> 'hanboknam')."""
    out = []
    for ch in s:
        o = ord(ch)
        if SBASE <= o <= SLAST:
            c = o - SBASE
            out.append(_RR_CHO[c // 588] + _RR_JUNG[(c % 588) // 28] + _RR_JONG[c % 28])
        else:
            out.append(ch)
    return "".join(out)


_DIGRAPHS = (("sh", "s"), ("ch", "j"), ("oo", "u"), ("ee", "i"), ("eo", "u"), ("ou", "u"),
             ("eu", "u"), ("ui", "i"), ("ae", "e"), ("ai", "e"), ("oi", "oe"))  # fmt: skip
_CLASSES = str.maketrans("gbdrfvzcq", "kptlppjkk")
_H_AFTER_VOWEL = re.compile(r"(?<=[aeiou])h")
_WY_BEFORE_VOWEL = re.compile(r"[wy](?=[aeiou])")
_DOUBLE = re.compile(r"([^aeiou])\1+")  # doubled consonants only: ss, kk, nn
_NON_LETTER = re.compile(r"[^a-z]+")


@lru_cache(maxsize=1 << 16)
def skeleton(s: str) -> str:
    """Spelling-insensitive skeleton of a romanised name part (Young/Yeong -> 'ung')."""
    s = _NON_LETTER.sub("", s.lower())
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_CLASSES)
    s = _H_AFTER_VOWEL.sub("", s)
    s = _WY_BEFORE_VOWEL.sub("", s)
    return _DOUBLE.sub(r"\1", s)


def surname_splits(key: str) -> list[tuple[str, str]]:
    """Plausible (surname, given) splits of a Hangul key; compound surnames may add one."""
    if len(key) < 2:
        return [(key, "")]
    splits = [(key[0], key[1:])]
    if key[:2] in COMPOUND_SURNAMES and len(key) >= 3:
        # 황보영 is ambiguous (황보+영 or 황+보영); 4+ syllables make the compound likely.
        compound = (key[:2], key[2:])
        splits = [compound, *splits] if len(key) >= 4 else [*splits, compound]
    return splits


def hangul_latin(surname: str, given: str) -> str:
    """Skeleton form of a Hangul (surname, given) pair: 'kim minjun' -> 'kim' + 'minjun'."""
    sur = SURNAME_LATIN.get(surname) or rr(surname)
    return f"{skeleton(sur)} {skeleton(rr(given))}".strip()
