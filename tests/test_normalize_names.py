"""Names: keys, scripts, flags, name_forms and name_similarity (korean.md §3.1 examples)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.normalize import name_forms, name_similarity, normalize_name


def key(s: str) -> str:
    return normalize_name(s).key


@pytest.mark.parametrize(
    ("raw", "value", "key_", "script"),
    [
        ("김민준", "김민준", "김민준", "hangul"),
        ("김 민준", "김 민준", "김민준", "hangul"),
        (" 김  민준 ", "김 민준", "김민준", "hangul"),
        ("김·민준", "김·민준", "김민준", "hangul"),
        ("김민준님", "김민준", "김민준", "hangul"),
        ("\u1100\u1175\u11b7\u1106\u1175\u11ab\u110c\u116e\u11ab", "김민준", "김민준", "hangul"),
        ("KIM MIN-JUN", "KIM MIN-JUN", "kim minjun", "latin"),
        ("Minjun Kim", "Minjun Kim", "kim minjun", "latin"),
        ("kim, minjun", "kim, minjun", "kim minjun", "latin"),
        ("Ch'oe Chŏng-hŭi", "Ch'oe Chŏng-hŭi", "choe chonghui", "latin"),
        ("ＫＩＭ Ｍｉｎｊｕｎ", "KIM Minjun", "kim minjun", "latin"),
        ("金敏俊", "金敏俊", "金敏俊", "other"),
        ("김민준 Minjun", "김민준 Minjun", "김민준", "mixed"),
    ],
)
def test_value_key_script(raw, value, key_, script):
    n = normalize_name(raw)
    assert (n.value, n.key, n.script) == (value, key_, script)


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("김민준님", "honorific_removed"),
        ("김", "single_syllable"),
        ("김민준 Minjun", "mixed_script"),
        ("金敏俊", "hanja"),
        ("김민준2", "digits"),
        ("김ㅁㅈ", "incomplete_hangul"),
    ],
)
def test_flags(raw, flag):
    assert flag in normalize_name(raw).flags


@pytest.mark.parametrize("raw", ["없음", "이름", "test", "ㅋㅋㅋ", "1234", "---", "xxx", "N/A"])
def test_junk_names_are_missing(raw):
    n = normalize_name(raw)
    assert n.value is None and n.key is None
    assert n.flags == ("junk",)


def test_missing():
    assert normalize_name(None).key is None
    assert normalize_name("  ").value is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("김민준", "김민쥰", 0.89),  # one-key typo
        ("김민준", "김민중", 0.89),  # final ㄴ -> ㅇ
        ("이서연", "이소연", 0.86),
        ("김민준", "김서준", 0.67),  # a different person
        ("김민준", "박서연", 0.11),
        ("이지후", "이즤후", 0.86),  # ㅢ is typed ㅡ+ㅣ: one extra key, not a new letter
        ("최영호", "최영회", 0.89),
    ],
)
def test_jamo_similarity_matches_the_research_table(a, b, expected):
    assert name_similarity(key(a), key(b)) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [
        ("김민준", "Minjun Kim"),
        ("김민준", "KIM MIN-JUN"),
        ("김민준", "Min Jun Kim"),
        ("김민준", "Gim Min-jun"),
        ("이서연", "Seoyeon Lee"),
        ("이서연", "Yi Seo-yeon"),
        ("이서연", "Rhee Seoyeon"),
        ("박지훈", "Park Jihoon"),
        ("박지훈", "Pak Ji-hun"),
        ("최영호", "Choi Young Ho"),
        ("최영호", "Choe Yeong-ho"),
        ("정현우", "Jung Hyunwoo"),
        ("정현우", "Chung Hyun-woo"),
        ("윤수빈", "Yoon Soobin"),
        ("백승호", "Paik Seungho"),
        ("전지현", "Chun Jihyun"),
        ("류현진", "Ryu Hyunjin"),
        ("남궁민수", "Namgoong Minsu"),
    ],
)
def test_hangul_and_romanised_spellings_are_similar(hangul, latin):
    assert name_similarity(key(hangul), key(latin)) >= 0.9


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("김민준", "Seoyeon Lee"),
        ("김민준", "Park Minjun"),
        ("이서연", "Kim Jiwoo"),
        ("박지훈", "Choi Younghee"),
    ],
)
def test_different_people_across_scripts_are_not_similar(a, b):
    assert name_similarity(key(a), key(b)) < 0.75


def test_dueum_surnames_fold_for_blocking_and_score_high():
    assert name_forms(key("류현진")).block == name_forms(key("유현진")).block == "유현진"
    assert name_forms(key("리영희")).block == "이영희"
    assert name_forms(key("림지은")).block == "임지은"
    assert name_similarity(key("류현진"), key("유현진")) >= 0.95


def test_jamo_splits_compound_vowels_and_finals():
    from intake.normalize import to_jamo

    assert to_jamo("의") == "ㅇㅡㅣ"
    assert to_jamo("닭") == "ㄷㅏㄹㄱ"
    assert to_jamo("과") == "ㄱㅗㅏ"
    assert to_jamo("A김") == "Aㄱㅣㅁ"


def test_name_forms():
    f = name_forms("김민준")
    assert (f.jamo, f.initials, f.script) == ("ㄱㅣㅁㅁㅣㄴㅈㅜㄴ", "ㄱㅁㅈ", "hangul")
    assert f.latin == name_forms("kim minjun").latin == name_forms("gim minjun").latin
    assert name_forms("lee seoyeon").latin == name_forms("이서연").latin
    latin = name_forms("kim minjun")
    assert (latin.jamo, latin.initials, latin.script) == ("", "", "latin")


hangul_names = st.text(
    alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=5
)
latin_names = st.from_regex(r"[A-Za-z]{1,8}( [A-Za-z]{1,8}){0,2}", fullmatch=True)
any_key = st.one_of(hangul_names, latin_names).map(lambda s: normalize_name(s).key or "")


@given(any_key, any_key)
def test_similarity_symmetric_and_bounded(a, b):
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == name_similarity(b, a)
    if a:
        assert name_similarity(a, a) == 1.0


@given(st.text(max_size=30))
def test_idempotent_and_never_raises(s):
    n = normalize_name(s)
    if n.value is not None:
        again = normalize_name(n.value)
        assert (again.value, again.key, again.script) == (n.value, n.key, n.script)
    if n.key:
        name_forms(n.key)
        assert name_similarity(n.key, n.key) == 1.0


def test_name_key_fast_path_equals_full_normaliser():
    from intake.normalize.junk import JUNK_WORDS, NAME_JUNK_WORDS
    from intake.normalize.names import _normalize_name, name_key
    from intake.synth import generate_people

    samples = [p.name for p in generate_people(3000, seed=1)]
    samples += sorted(JUNK_WORDS | NAME_JUNK_WORDS) + ["김민준님", "고객님", "하하", "이이이", "김"]
    for s in samples:
        assert name_key(s) == _normalize_name(s).key, s


@given(hangul_names)
def test_name_key_fast_path_equals_full_normaliser_on_any_hangul(s):
    from intake.normalize.names import _normalize_name, name_key

    assert name_key(s) == _normalize_name(s).key


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [("rlaalswns", "김민준"), ("rla alswns", "김민준"), ("dlwlgh", "이지호"),
     ("qkrwlgns", "박지훈"), ("ghdrlfehd", "홍길동")],
)  # fmt: skip
def test_name_typed_with_the_ime_off_is_flagged_not_converted(raw, suggestion):
    n = normalize_name(raw)
    assert n.suggestion == suggestion and "possible_ime" in n.flags
    assert n.script == "latin" and n.value == raw  # never applied automatically


@pytest.mark.parametrize(
    "raw", ["Ryan", "Minjun Kim", "KIM MIN-JUN", "John Smith", "Daniel", "Sophia", "Tanaka"]
)
def test_real_latin_names_are_not_flagged_as_ime(raw):
    n = normalize_name(raw)
    assert n.suggestion is None and "possible_ime" not in n.flags


def test_keys_to_hangul_round_trips():
    import random

    from intake.normalize.typing_ko import hangul_to_keys, keys_to_hangul

    rng = random.Random(5)
    for _ in range(500):
        word = "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(rng.randint(1, 4)))
        assert keys_to_hangul(hangul_to_keys(word)) == word
    assert keys_to_hangul("kim") is None


_SPACED_OR_LATIN = st.one_of(
    st.from_regex(r"[가-힣]{1,4}(?: [가-힣]{1,4}){1,3}", fullmatch=True),
    st.from_regex(r"[가-힣]{1,3} [가-힣]{0,2}님", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,8}(?:[ -][A-Za-z]{1,8}){0,3}", fullmatch=True),
    st.from_regex(r"[a-zA-Z]{1,3}(?: [a-zA-Z]{1,3})?", fullmatch=True),  # short: many junk words
    st.sampled_from(["해당 없음", "ㅋ ㅋ", "김 김 김", "Test", "NONE", "n a", "X", "x x", "Aa aA"]),
)


@given(_SPACED_OR_LATIN)
def test_name_key_spaced_hangul_and_plain_latin_fast_paths_equal_full_normaliser(s):
    """'김 민준', 'Minjun Kim', 'KIM MIN-JUN' skip the full normaliser in name_key; the key (and
    junk -> None) must be what the full path gives for every such spelling."""
    from intake.normalize.names import _normalize_name, name_key

    assert name_key.__wrapped__(s) == _normalize_name.__wrapped__(s).key


@pytest.mark.parametrize(
    ("raw", "key_"),
    [("김 민준", "김민준"), ("남궁 민 준", "남궁민준"), ("해당 없음", None), ("하 하", None),
     ("김 민준님", "김민준"), ("Minjun Kim", "kim minjun"), ("KIM MIN-JUN", "kim minjun"),
     ("test", None), ("None", None), ("aaa", None), ("Kim", "kim")],
)  # fmt: skip
def test_name_key_common_spellings(raw, key_):
    from intake.normalize.names import name_key

    assert name_key.__wrapped__(raw) == key_
