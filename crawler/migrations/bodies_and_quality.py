"""Steps 8-10: reporting bodies (issue 15), templated reports and the quality views (issue 19)."""

from __future__ import annotations

from sqlite_utils import Database


def m008_bodies_table(db: Database) -> None:
    """Issue 15: one row per reporting body (crawler/bodies.py) — its fullest name, the names and aliases
    seen, level, county and the county's GB/T 2260 code when the profile gives it, parent body — and
    ``reports.body_id``. The dedupe key becomes the body within its county (「大水泊镇」 and
    「威海市文登区大水泊镇人民政府」 are one body): existing rows are re-keyed and linked here."""
    from crawler.bodies import backfill_bodies  # the naming rules live with the bodies

    db.table("bodies").create(
        {
            "id": int,
            "key": str,  # county/body: 371003/大水泊镇人民政府
            "site": str,
            "name": str,  # the fullest name seen
            "short_name": str,
            "aliases": str,  # JSON list: every name the body was given
            "level": str,  # government / department / township / other
            "region": str,
            "county": str,
            "division_code": str,  # GB/T 2260, six digits (NULL when the profile does not say)
            "parent_id": int,
        },
        pk="id",
        not_null={"key"},
        foreign_keys=[("parent_id", "bodies", "id")],
    )
    db.table("bodies").create_index(["key"], unique=True)
    db.table("bodies").create_index(["level"])
    db.table("bodies").create_index(["county"])
    db.table("reports").add_column("body_id", int, fk="bodies", fk_col="id")
    db.table("reports").create_index(["body_id"])
    backfill_bodies(db)


def m009_similarity_tables(db: Database) -> None:
    """Issue 19, templated reports (crawler/similarity.py): ``similar_reports`` (both directions of
    every pair of reports whose narratives are similar, with the sections they share),
    ``report_sections`` (the headings each report has), ``similarity_runs`` (each pass: threshold
    and distribution) and ``reports.templated`` (1 above the threshold, 0 below, NULL when the
    report has too little text of its own to compare)."""
    db.table("similar_reports").create(
        {"report_id": int, "other_id": int, "similarity": float, "sections": str, "same_body": int,
         "templated": int},
        pk=("report_id", "other_id"),
        foreign_keys=[("report_id", "reports", "id"), ("other_id", "reports", "id")],
    )  # fmt: skip
    db.table("report_sections").create(
        {"report_id": int, "section": str, "own_chars": int},
        pk=("report_id", "section"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("similarity_runs").create(
        {"id": int, "computed_at": str, "reports": int, "comparable": int, "pairs": int, "flagged": int,
         "threshold": float, "method": str, "histogram": str, "seconds": float},
        pk="id",
    )  # fmt: skip
    db.table("reports").add_column("templated", int)


def m010_quality_views(db: Database) -> None:
    """Issue 19: ``report_quality`` and ``body_quality`` (README "Report quality") and
    ``figure_series`` (headline figures per body and year, change and outliers)."""
    from crawler.quality import BODY_QUALITY_VIEW, FIGURE_SERIES_VIEW, REPORT_QUALITY_VIEW

    for view in (REPORT_QUALITY_VIEW, BODY_QUALITY_VIEW, FIGURE_SERIES_VIEW):
        db.execute(view)
