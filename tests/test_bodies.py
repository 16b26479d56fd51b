"""Bodies as data (crawler/bodies.py): one identity per reporting body, the ``bodies`` table, the
migration that re-keys stored reports, dedupe on the body, and the profile's division code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.bodies import Scope, backfill_bodies, body_identity, dedupe_key, site_scope, upsert_body
from crawler.datasette import load_metadata
from crawler.db import open_db
from crawler.sites.catalog import load_profile
from crawler.sites.profile import profile_from_dict
from tests.support.store_items import Stats, extracted, page

WENDENG = Scope("山东省威海市", "文登区", "371003")
HAIYUAN = Scope("宁夏回族自治区中卫市", "海原县", "640522")


# -- identity (pure) -------------------------------------------------------------------------------------------


def test_scope_units_split_region_and_county() -> None:
    assert WENDENG.units == ("山东省", "威海市", "文登区")
    assert HAIYUAN.units == ("宁夏回族自治区", "中卫市", "海原县")


@pytest.mark.parametrize("scope", [WENDENG, Scope()], ids=["profile", "no-profile"])
@pytest.mark.parametrize(
    "names",
    [
        ("大水泊镇", "大水泊镇人民政府", "威海市文登区大水泊镇人民政府", "文登区大水泊镇人民政府"),
        ("财政局", "文登区财政局", "威海市文登区财政局", "山东省威海市文登区财政局"),
        ("天福街道", "天福街道办事处", "威海市文登区天福街道办事处"),
        ("区政府办公室", "威海市文登区人民政府办公室", "文登区人民政府办公室"),
    ],
)
def test_every_name_of_a_body_is_one_identity(scope: Scope, names: tuple[str, ...]) -> None:
    assert len({body_identity(name, scope).key for name in names}) == 1


def test_levels_and_short_names() -> None:
    town = body_identity("威海市文登区大水泊镇人民政府", WENDENG)
    assert (town.short, town.level) == ("大水泊镇", "township")
    street = body_identity("威海市文登区天福街道办事处", WENDENG)
    assert (street.short, street.level) == ("天福街道", "township")
    department = body_identity("海原县财政局", HAIYUAN)
    assert (department.key, department.level) == ("财政局", "department")
    government = body_identity("威海市文登区人民政府", WENDENG)
    assert (government.key, government.level, government.is_government) == ("人民政府", "government", True)
    assert body_identity("区政府", WENDENG).key == government.key


def test_a_street_named_after_a_unit_keeps_its_name() -> None:
    """城区街道: 「城区」 is the street's own name, not a 区 above it."""
    assert body_identity("城区街道办事处").key == "城区街道办事处"
    assert body_identity("威海市文登区城区街道办事处", WENDENG).short == "城区街道"


def test_different_bodies_stay_apart() -> None:
    keys = {
        body_identity(n, WENDENG).key
        for n in ("威海市人民政府", "威海市文登区人民政府", "大水泊镇", "小观镇")
    }
    assert len(keys) == 4
    # without a profile, the unit keeps two governments apart
    assert body_identity("威海市人民政府").key != body_identity("威海市文登区人民政府").key
    # the same department of other units: the city's on a county portal, two counties' on a city's
    departments = ("威海市财政局", "威海市文登区财政局", "文登区财政局", "荣成市财政局", "财政局")
    assert len({body_identity(n, WENDENG).key for n in departments}) == 3
    city = Scope("山东省", "威海市")
    assert len({body_identity(n, city).key for n in ("文登区财政局", "荣成市财政局", "威海市财政局")}) == 3
    assert body_identity("文登区大水泊镇人民政府", city).key != body_identity("荣成市大水泊镇人民政府", city).key
    # a zone run by a 管委会 is a body of its own, not a unit to drop; the short and the full name of
    # its committee are one body (crawler/extract/agency_names.json expands 管委会)
    full = "威海市文登区经济开发区管理委员会"
    assert body_identity("威海市文登区经济开发区管委会").key == body_identity(full).key == full


def test_the_dedupe_key_is_the_body_within_its_county() -> None:
    url = "http://x/1.html"
    assert dedupe_key("大水泊镇", url, "wendeng", WENDENG) == dedupe_key(
        "威海市文登区大水泊镇人民政府", url, "s", WENDENG
    )
    assert dedupe_key("大水泊镇", url, "wendeng", WENDENG) == "371003/大水泊镇人民政府"
    assert dedupe_key("财政局", url, "wendeng", WENDENG) != dedupe_key("财政局", url, "hy", HAIYUAN)
    assert dedupe_key("财政局", url, "a", Scope()) != dedupe_key("财政局", url, "b", Scope())  # apart by site
    assert dedupe_key(None, url, "wendeng", WENDENG) == "url:http://x/1.html"


# -- profiles --------------------------------------------------------------------------------------------------


def test_profiles_give_the_division_code() -> None:
    assert load_profile("wendeng").division_code == "371003"
    assert load_profile("hy").division_code == "640522"
    assert site_scope("wendeng") == Scope("山东省威海市", "文登区", "371003")
    assert site_scope("no-such-site") == Scope()


def test_a_division_code_must_be_six_digits() -> None:
    data = {"site": {"name": "x", "platform": "auto", "start_url": "http://x/", "allowed_domains": ["x"]}}
    assert profile_from_dict(data).division_code == ""
    with pytest.raises(ValueError, match="six GB/T 2260 digits"):
        profile_from_dict({"site": {**data["site"], "division_code": "37100"}})


# -- the table ----------------------------------------------------------------------------------------------


def test_upsert_folds_names_into_one_body_under_the_county_government(tmp_path: Path) -> None:
    db = open_db(tmp_path / "xxgk.db")
    first = upsert_body(db, "wendeng", WENDENG, "大水泊镇", "大水泊镇")
    second = upsert_body(db, "wendeng", WENDENG, "威海市文登区大水泊镇人民政府")
    assert first == second
    body = db["bodies"].get(first)
    assert body["name"] == "威海市文登区大水泊镇人民政府" and body["short_name"] == "大水泊镇"
    assert set(json.loads(body["aliases"])) == {
        "大水泊镇",
        "大水泊镇人民政府",
        "威海市文登区大水泊镇人民政府",
    }
    assert (body["level"], body["county"], body["division_code"]) == ("township", "文登区", "371003")
    parent = db["bodies"].get(body["parent_id"])
    assert (parent["name"], parent["level"], parent["parent_id"]) == (
        "威海市文登区人民政府",
        "government",
        None,
    )
    assert upsert_body(db, "wendeng", WENDENG, "威海市文登区人民政府") == parent["id"]
    assert db["bodies"].count == 2
    # ids come from the keys: the same in any database, whatever the order of the reports
    other = open_db(tmp_path / "other.db")
    assert upsert_body(other, "wendeng", WENDENG, "威海市文登区大水泊镇人民政府") == first


def test_the_migration_rekeys_and_links_stored_reports(tmp_path: Path) -> None:
    db = open_db(tmp_path / "xxgk.db")
    rows = [  # as stored before the bodies: keyed by the full name
        (1, "wendeng", "威海市文登区财政局", 2022),
        (2, "wendeng", "威海市文登区财政局", 2023),
        (3, "hy", "海原县财政局", 2022),
        (4, "wendeng", None, 2022),
    ]
    for report_id, site, agency, year in rows:
        db["reports"].insert({"id": report_id, "site": site, "agency": agency, "year": year,
                              "url": f"http://x/{report_id}", "agency_key": agency or f"url:http://x/{report_id}"})  # fmt: skip
    backfill_bodies(db)
    keys = {r["id"]: (r["agency_key"], r["body_id"]) for r in db["reports"].rows}
    assert keys[1][0] == keys[2][0] == "371003/财政局" and keys[1][1] == keys[2][1]
    assert keys[3][0] == "640522/财政局" and keys[3][1] != keys[1][1]
    assert keys[4] == ("url:http://x/4", None)


def test_dedupe_folds_a_short_and_a_full_name_into_one_report(tmp_path: Path) -> None:
    from pipelines.dedupe import DedupePipeline
    from pipelines.store import StorePipeline

    path, stats = tmp_path / "xxgk.db", Stats()
    dedupe, store = DedupePipeline(path, stats), StorePipeline(path, stats)
    dedupe.open_spider()
    store.open_spider()
    short, full = extracted(), extracted()
    short.agency = short.agency_as_printed = "财政局"
    for url, report in (
        ("http://www.wendeng.gov.cn/a.html", full),
        ("http://www.wendeng.gov.cn/b.html", short),
    ):
        store.process_item(dedupe.process_item(page(url, report)))
    dedupe.close_spider()
    store.close_spider()
    db = open_db(path)
    reports = list(db["reports"].rows)
    assert len(reports) == 1 and len(json.loads(reports[0]["urls"])) == 2
    body = db["bodies"].get(reports[0]["body_id"])
    assert body["name"] == "威海市文登区财政局" and "财政局" in json.loads(body["aliases"])
    assert body["level"] == "department" and db["bodies"].get(body["parent_id"])["level"] == "government"


def test_datasette_facets_bodies_by_level_and_county() -> None:
    # facets are behaviour (datasette.yaml), column descriptions are metadata (metadata.yaml)
    tables = load_metadata()["databases"]["xxgk"]["tables"]
    assert {"level", "county"} <= set(tables["bodies"]["facets"])
    assert "body_id" in tables["reports"]["columns"]
