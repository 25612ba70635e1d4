"""Korean regions: 시도 names and aliases, unambiguous city names, postcode prefixes.

Written for intake from public facts (행정안전부 administrative divisions; the 2015 five-digit
postcode prefixes, pluskorea.net/45830). Renamed provinces: 강원도 -> 강원특별자치도 (2023-06-11),
전라북도 -> 전북특별자치도 (2024-01-18); the old names stay as aliases.
"""

from __future__ import annotations

SIDO = (
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시",
    "울산광역시", "세종특별자치시", "경기도", "강원특별자치도", "충청북도", "충청남도",
    "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도",
)  # fmt: skip

# alias -> canonical 시도; matched only at the start of an address and before a space.
# 광주시 is deliberately absent: it is usually 경기도 광주시 (handled in addresses.py).
SIDO_ALIASES: dict[str, str] = {name: name for name in SIDO}
for _canon, _aliases in {
    "서울특별시": ("서울시", "서울"),
    "부산광역시": ("부산시", "부산"),
    "대구광역시": ("대구시", "대구"),
    "인천광역시": ("인천시", "인천"),
    "광주광역시": ("광주",),
    "대전광역시": ("대전시", "대전"),
    "울산광역시": ("울산시", "울산"),
    "세종특별자치시": ("세종시", "세종"),
    "경기도": ("경기",),
    "강원특별자치도": ("강원도", "강원"),
    "충청북도": ("충북", "충청북"),
    "충청남도": ("충남", "충청남"),
    "전북특별자치도": ("전라북도", "전북"),
    "전라남도": ("전남",),
    "경상북도": ("경북",),
    "경상남도": ("경남",),
    "제주특별자치도": ("제주도", "제주"),
}.items():
    for _a in _aliases:
        SIDO_ALIASES[_a] = _canon
OLD_SIDO_NAMES = frozenset({"강원도", "전라북도"})

# City (시) names that exist in exactly one 시도, for addresses typed without the 시도.
_CITIES = {
    "경기도": "수원 성남 의정부 안양 부천 광명 평택 동두천 안산 고양 과천 구리 남양주 오산 시흥 "
    "군포 의왕 하남 용인 파주 이천 안성 김포 화성 양주 포천 여주",
    "강원특별자치도": "춘천 원주 강릉 동해 태백 속초 삼척",
    "충청북도": "청주 충주 제천",
    "충청남도": "천안 공주 보령 아산 서산 논산 계룡 당진",
    "전북특별자치도": "전주 군산 익산 정읍 남원 김제",
    "전라남도": "목포 여수 순천 나주 광양",
    "경상북도": "포항 경주 김천 안동 구미 영주 영천 상주 문경 경산",
    "경상남도": "창원 진주 통영 사천 김해 밀양 거제 양산",
    "제주특별자치도": "제주 서귀포",
}
CITY_SIDO: dict[str, str] = {
    f"{city}시": sido for sido, cities in _CITIES.items() for city in cities.split()
}
# 광주시 + one of these 구 is 광주광역시; 광주시 alone is 경기도 광주시.
GWANGJU_GU = frozenset({"동구", "서구", "남구", "북구", "광산구"})


def _prefix_table() -> dict[str, str]:
    spans = [
        (1, 9, "서울특별시"), (10, 20, "경기도"), (21, 23, "인천광역시"),
        (24, 26, "강원특별자치도"), (27, 29, "충청북도"), (30, 30, "세종특별자치시"),
        (31, 33, "충청남도"), (34, 35, "대전광역시"), (36, 40, "경상북도"),
        (41, 43, "대구광역시"), (44, 45, "울산광역시"), (46, 49, "부산광역시"),
        (50, 53, "경상남도"), (54, 56, "전북특별자치도"), (57, 60, "전라남도"),
        (61, 62, "광주광역시"), (63, 63, "제주특별자치도"),
    ]  # fmt: skip
    return {f"{p:02d}": sido for lo, hi, sido in spans for p in range(lo, hi + 1)}


POSTCODE_SIDO: dict[str, str] = _prefix_table()
