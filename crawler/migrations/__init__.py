"""The schema's history: every change is one sqlite-utils migration, numbered in the order it is
applied and named by what it changes; ``crawler.db.open_db`` applies what is pending.

The steps live in one module per group (core, runs_and_status, reading, bodies_and_quality,
recrawl) as plain functions; ``STEPS`` below is the one place that says their order, and registers
them with ``migrations`` in it. The step modules never import this package, so the order cannot
depend on which module happened to be imported first. A new migration goes at the end of ``STEPS``,
with a new name (in the last module, or a new one when that would pass the house's size limit).

Databases made before the migrations were renumbered recorded their old names in
``_sqlite_migrations``; ``rename_recorded`` maps those to the current names before anything is
applied, so such a database neither re-runs nor skips a step.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler.migrations import bodies_and_quality, core, reading, recrawl, runs_and_status

migrations = Migrations("xxgk")

#: every step, in the order it is applied (its name is the function's: what databases record)
STEPS: tuple[Callable[[Database], None], ...] = (
    core.m001_core_tables,
    runs_and_status.m002_crawl_runs_table,
    runs_and_status.m003_report_status_view,
    runs_and_status.m004_drained_items_table,
    reading.m005_documents_fault_column,
    reading.m006_documents_reading_columns,
    reading.m007_reports_dates_and_format_basis,
    bodies_and_quality.m008_bodies_table,
    bodies_and_quality.m009_similarity_tables,
    bodies_and_quality.m010_quality_views,
    recrawl.m011_documents_list_entries_and_crawl_runs_known_pages,
    recrawl.m012_crawl_runs_from_archive,
    recrawl.m013_documents_column_url,
    recrawl.m014_per_site_indexes,
)
for step in STEPS:
    migrations()(step)

#: old recorded name → current name (issue 16: registered out of order and named after the work)
RENAMED = {
    "m007_crawl_runs": "m002_crawl_runs_table",
    "m007_report_status_view": "m003_report_status_view",
    "m009_drained_items": "m004_drained_items_table",
    "m008_documents_fault": "m005_documents_fault_column",
    "m005_document_reading": "m006_documents_reading_columns",
    "m010_report_dates_and_format_basis": "m007_reports_dates_and_format_basis",
    "m015_bodies": "m008_bodies_table",
    "m019_similar_reports": "m009_similarity_tables",
    "m019_quality_views": "m010_quality_views",
    # recorded by databases made while issue 17 was developed (bench data directories)
    "m020_list_entries_and_known_pages": "m011_documents_list_entries_and_crawl_runs_known_pages",
}


def rename_recorded(db: Database) -> None:
    """Rewrite the old names an earlier release recorded as applied to the current ones. No current
    name is an old one, so the order of the updates does not matter."""
    table = migrations.migrations_table
    if not db[table].exists():
        return
    with db.atomic():
        for old, new in RENAMED.items():
            db.execute(
                f"UPDATE [{table}] SET name = ? WHERE migration_set = ? AND name = ?",
                [new, migrations.name, old],
            )
