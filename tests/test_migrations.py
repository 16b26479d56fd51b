"""Migrations in order: a database made at any earlier step, under the names earlier releases recorded,
ends at the same schema as a fresh one, with no step run twice or skipped."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler.db import open_db
from crawler.migrations import RENAMED, migrations
from tests.support.schema import columns, schema

LEGACY = Path(__file__).parent / "fixtures" / "legacy" / "db_a53fe5a.py"
CURRENT = [m.name for m in migrations._migrations]

#: Orders databases were made in on feature branches before their merge (git log -- crawler/db.py):
#: issue 8 (fault before crawl_runs), issue 9, issue 5 (reading columns first), issue 19 (similarity
#: before the report dates and bodies), issue 14 (report dates before bodies).
BRANCH_ORDERS = {
    "issue-8": ["m001_core_tables", "m008_documents_fault"],
    "issue-9": ["m001_core_tables", "m009_drained_items"],
    "issue-5": ["m001_core_tables", "m005_document_reading"],
    "issue-19": [
        "m001_core_tables", "m007_crawl_runs", "m007_report_status_view", "m009_drained_items",
        "m008_documents_fault", "m005_document_reading", "m019_similar_reports", "m019_quality_views",
    ],
    "issue-14": [
        "m001_core_tables", "m007_crawl_runs", "m007_report_status_view", "m009_drained_items",
        "m008_documents_fault", "m005_document_reading", "m010_report_dates_and_format_basis",
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def legacy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("legacy_db_a53fe5a", LEGACY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_db(tmp_path_factory.mktemp("fresh") / "xxgk.db")


def recorded(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def test_current_names_are_in_order_and_new() -> None:
    numbers = [int(re.match(r"m(\d{3})_", name).group(1)) for name in CURRENT]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(CURRENT) + 1))
    assert not set(RENAMED) & set(CURRENT), "an old name reused would be taken as already applied"
    # the release's steps are renamed; steps added after it (issue 17 on) are new names
    assert sorted(RENAMED.values()) == sorted(set(CURRENT[: len(RENAMED) + 1]) - {"m001_core_tables"})


def test_every_old_name_is_mapped(legacy: ModuleType) -> None:
    old = [m.name for m in legacy.migrations._migrations]
    assert [RENAMED.get(name, name) for name in old] == CURRENT[: len(old)]


@pytest.mark.parametrize("step", range(len(CURRENT) + 1))
def test_database_of_an_earlier_release_reaches_the_fresh_schema(
    step: int, legacy: ModuleType, fresh: Database, tmp_path: Path
) -> None:
    old = [m.name for m in legacy.migrations._migrations]
    path = tmp_path / "xxgk.db"
    earlier = Database(path)
    legacy.migrations.apply(earlier, stop_before=old[step] if step < len(old) else None)
    assert recorded(earlier) == old[:step]
    earlier.close()

    db = open_db(path)
    assert recorded(db) == CURRENT, "no step re-run, skipped or recorded twice"
    assert schema(db) == schema(fresh)


@pytest.mark.parametrize("step", range(len(CURRENT) + 1))
def test_database_at_each_new_step_reaches_the_fresh_schema(
    step: int, fresh: Database, tmp_path: Path
) -> None:
    path = tmp_path / "xxgk.db"
    migrations.apply(Database(path), stop_before=CURRENT[step] if step < len(CURRENT) else None)
    db = open_db(path)
    assert recorded(db) == CURRENT
    assert schema(db) == schema(fresh)


@pytest.mark.parametrize("branch", sorted(BRANCH_ORDERS))
def test_database_of_a_feature_branch_reaches_the_fresh_schema(
    branch: str, legacy: ModuleType, fresh: Database, tmp_path: Path
) -> None:
    made = Migrations(legacy.migrations.name)  # the same set, the steps in the branch's order
    for name in BRANCH_ORDERS[branch]:
        made(name=name)(getattr(legacy, name))
    path = tmp_path / "xxgk.db"
    made.apply(Database(path))

    db = open_db(path)
    assert sorted(recorded(db)) == sorted(CURRENT)
    assert columns(db) == columns(fresh)
    # views, indexes and triggers are whole statements: those must match as written
    assert [row for row in schema(db) if row[0] != "table"] == [
        row for row in schema(fresh) if row[0] != "table"
    ]


def test_rows_of_an_earlier_release_survive_its_migration(legacy: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "xxgk.db"
    earlier = Database(path)
    legacy.migrations.apply(earlier, stop_before="m010_report_dates_and_format_basis")
    url = "http://www.wendeng.gov.cn/art/2023/1/16/art_1_2.html"
    earlier["reports"].insert({"site": "wendeng", "url": url, "agency": "威海市文登区财政局", "year": 2022})
    earlier["documents"].insert({"site": "wendeng", "url": url, "fault": "timeout", "kind": "pdf"})
    earlier.close()

    db = open_db(path)
    assert [(r["url"], r["year"], r["dated"]) for r in db["reports"].rows] == [(url, 2022, None)]
    assert [(d["fault"], d["kind"]) for d in db["documents"].rows] == [("timeout", "pdf")]
