"""Bodies (crawler/bodies.py) and the extraction's names (crawler/extract/names.py) agree on what a
zone is: a zone run by a 管理委员会 is a body of its own, never a higher unit to drop."""

from __future__ import annotations

import pytest

from crawler.bodies import Scope, body_identity
from crawler.extract.names import normalise_agency, zone_suffixes

WENDENG = Scope("山东省威海市", "文登区", "371003")


@pytest.mark.parametrize("zone", ["综合实验区", "经济技术开发区", "高新区", "合作区"])
def test_a_zone_the_names_know_is_a_body_of_its_own(zone: str) -> None:
    assert any(zone.endswith(suffix) for suffix in zone_suffixes())
    assert normalise_agency(f"某县{zone}") == f"某县{zone}管理委员会"
    # without a scope, the county in front stays: two counties' zones are two bodies
    assert body_identity(f"海原县{zone}管理委员会").key == f"海原县{zone}管理委员会"
    assert body_identity(f"文登区{zone}管理委员会", WENDENG).key == f"{zone}管理委员会"


@pytest.mark.parametrize("name", ["文登区天福社区", "文登区龙山景区管理处"])
def test_other_non_unit_districts_are_not_dropped_either(name: str) -> None:
    assert body_identity(name, WENDENG).key == name.removeprefix("文登区")
