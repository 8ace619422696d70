"""The registry as institutions: forgiving names, successors on a day, validation, provinces."""
from datetime import date
from pathlib import Path

import pytest
import yaml

from dtrack.domain import provinces
from dtrack.domain.agencies import Registry, entry_problems, looks_unaccented
from dtrack.errors import UsageError
from dtrack.store.agencyfile import province_registry

BUNDLED = Path(__file__).resolve().parents[2] / "directives" / "agencies.yaml"


@pytest.fixture(scope="module")
def made() -> Registry:
    """The registry `dtrack init --province "Gia Lai"` writes."""
    return Registry.from_data(yaml.safe_load(province_registry(provinces.find("Gia Lai")[0])))[0]


@pytest.mark.parametrize("typed, canonical", [
    ("ubnd cac huyen thi xa thanh pho", "UBND các huyện, thị xã, thành phố"),
    ("cac so ban nganh", "Các sở, ban, ngành"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
    ("so tn va mt", "Sở Tài nguyên và Môi trường"),
    ("Sở KHĐT", "Sở Kế hoạch và Đầu tư"),
    ("VP UBND", "Văn phòng UBND tỉnh"),
    ("UBND các xã, phường", "UBND các xã, phường, đặc khu"),
    ("Sở NN & MT", "Sở Nông nghiệp và Môi trường"),
    ("Ủy ban nhân dân tỉnh Gia Lai", "UBND tỉnh Gia Lai"),
])
def test_what_people_type_resolves(made, typed, canonical):
    assert made.canonical(typed) == canonical


@pytest.mark.parametrize("typed, first", [
    ("so tai chin", "Sở Tài chính"),
    ("Sở Nông nghiệp và Môi", "Sở Nông nghiệp và Môi trường"),
    ("Sở Dân tộc và Tôn giáo hỗ", "Sở Dân tộc và Tôn giáo"),
    ("STNMTT", "Sở Tài nguyên và Môi trường"),
    ("Sở Nộj vụ", "Sở Nội vụ"),
])
def test_an_unknown_name_gets_the_right_first_suggestion(made, typed, first):
    assert made.get(typed) is None
    assert made.suggestions(typed)[0] == first


def test_a_typo_is_caught_and_a_different_agency_is_not(made):
    assert made.typo_of("so tai chin") == "Sở Tài chính"
    assert made.typo_of("Sở Ngoại vụ 2") is None
    assert made.typo_of("Sở Ngoại vu") == "Sở Ngoại vụ"
    assert made.typo_of("Chi cục Thủy sản") is None
    assert looks_unaccented("Chi cuc Thuy san") and not looks_unaccented("UBND") \
        and not looks_unaccented("Chi cục Thủy sản")


def test_the_lead_in_charge_follows_the_successions_of_the_day(made):
    old = "Sở TTTT"
    assert made.as_of(date(2024, 7, 20)).current(old) == "Sở Thông tin và Truyền thông"
    now = made.as_of(date(2026, 12, 1))
    assert now.current(old) == "Sở Khoa học và Công nghệ"
    assert now.label(old, short=True) == "Sở KH&CN (formerly: Sở TTTT)"
    assert now.label("Sở KH&CN", short=True) == "Sở KH&CN"
    assert now.current("Sở Lao động - Thương binh và Xã hội") == "Sở Nội vụ"      # the first successor
    assert now.current("UBND các huyện, thị xã, thành phố") == "UBND các xã, phường, đặc khu"
    assert made.as_of(date(2025, 6, 30)).current("UBND cấp huyện") == "UBND các huyện, thị xã, thành phố"
    keys = now.match("so khoa hoc va cong nghe")
    assert now.holds(keys, "Sở Thông tin và Truyền thông") and not made.as_of(date(2024, 7, 20)).holds(
        keys, "Sở Thông tin và Truyền thông")
    assert {a.name for a in made.predecessors(made.get("Sở NN&MT"))} >= {
        "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn"}


def test_the_bundled_and_the_made_registries_are_clean():
    for data in (yaml.safe_load(BUNDLED.read_text(encoding="utf-8")),
                 *(yaml.load(province_registry(p), Loader=yaml.CSafeLoader) for p in (None, provinces.find("Huế")[0],
                                                                  provinces.find("Gia Lai")[0]))):
        registry, problems = Registry.from_data(data)
        assert problems == [] and entry_problems(data) == []


def test_history_problems_are_found_where_they_are():
    data = [
        {"name": "A", "replaced_by": [{"name": "B", "on": date(2025, 3, 1)}]},
        {"name": "B", "replaced_by": [{"name": "A", "on": date(2025, 3, 1)}]},
        {"name": "C", "replaced_by": [{"name": "Nowhere", "on": date(2025, 3, 1)}], "kind": "bộ lạc"},
        {"name": "D", "established": date(2025, 3, 1), "dissolved": date(2024, 1, 1),
         "replaced_by": [{"name": "A", "on": "2025-02-30"}]},
        {"name": "E", "replaced_by": "A"},
    ]
    found = {(where, severity): message for where, message, severity in entry_problems(data)}
    assert "A → B → A" in found[((0, "replaced_by"), "error")]
    assert "Nowhere" in found[((2, "replaced_by", 0), "error")]
    assert ((2, "kind"), "warning") in found
    assert ((3, "dissolved"), "error") in found
    assert ((3, "replaced_by", 0, "on"), "error") in found
    assert "needs 'on:'" in found[((4, "replaced_by"), "warning")]


def test_provinces_are_found_by_new_and_old_names():
    assert len(provinces.PROVINCES) == 34 and len({p.name for p in provinces.PROVINCES}) == 34
    assert sum(len(p.merged) for p in provinces.PROVINCES) == 63 - 34
    assert provinces.choose("tp. ho chi minh").full == "thành phố Hồ Chí Minh"
    assert provinces.choose("Thừa Thiên Huế").name == "Huế"
    with pytest.raises(UsageError) as e:
        provinces.choose("Binh Dinh")
    assert e.value.hint.startswith("Did you mean: Gia Lai (with Bình Định)")
