"""Report quality and figures over the years as SQL views (issue 19), created by migrations in
crawler/migrations/. Every measure is a formula over stored columns (README "Report quality"), so a
researcher can recompute it from the exported tables.

``report_quality``: one row per report — on time, sections, tables and how they were published,
hard checks, narrative against tables, templated, corrections. ``body_quality``: the same per body
over its years. ``figure_series``: per body and year, the headline figures with the previous
year's, the change, and outliers (a tenfold jump; this year's carried-over requests ≠ last year's
carried-forward).
"""

from __future__ import annotations

#: the six sections of the template (schema.json "sections")
SECTIONS = 6
#: a change ten times up or down is an outlier, counts below this counting as this (small numbers swing)
TENFOLD = 10

REPORT_QUALITY_VIEW = f"""
CREATE VIEW report_quality AS
WITH hard AS (
    SELECT report_id, SUM(status = 'pass') AS passed, SUM(status = 'fail') AS failed
    FROM checks WHERE hard = 1 GROUP BY report_id
), narrative AS (
    SELECT report_id, SUM(status = 'pass') AS passed, SUM(status = 'fail') AS failed
    FROM checks WHERE rule LIKE 'narrative.%' GROUP BY report_id
), tables AS (
    SELECT report_id, COUNT(DISTINCT [table]) AS present,
           GROUP_CONCAT(DISTINCT CASE WHEN source IN ('html', 'text') THEN source
                                      WHEN source = 'ocr' THEN 'image'
                                      ELSE 'attachment' END) AS how
    FROM cells WHERE value IS NOT NULL GROUP BY report_id
), sections AS (
    SELECT report_id, COUNT(*) AS present FROM report_sections GROUP BY report_id
)
SELECT r.id AS report_id, r.site, r.agency, r.year, r.level, r.format,
       s.deadline, substr(r.published, 1, 10) AS published,
       CASE WHEN r.published IS NULL OR s.deadline IS NULL THEN NULL
            ELSE substr(r.published, 1, 10) <= s.deadline END AS on_time,
       COALESCE(sections.present, 0) AS sections_present,
       COALESCE(sections.present, 0) >= {SECTIONS} AS all_sections,
       COALESCE(tables.present, 0) AS tables_present,
       tables.how AS tables_how,
       hard.passed AS hard_passed, hard.failed AS hard_failed,
       CASE WHEN hard.failed > 0 THEN 0 WHEN hard.passed > 0 THEN 1 END AS hard_checks_ok,
       CASE WHEN narrative.failed > 0 THEN 0 WHEN narrative.passed > 0 THEN 1 END AS narrative_agrees,
       r.templated,
       (SELECT MAX(similarity) FROM similar_reports sr WHERE sr.report_id = r.id) AS nearest_similarity,
       (EXISTS (SELECT 1 FROM report_versions v WHERE v.report_id = r.id AND v.reason = 'correction')
        OR r.title LIKE '%更正%') AS corrected
FROM reports r
LEFT JOIN report_status s ON s.report_id = r.id
LEFT JOIN hard ON hard.report_id = r.id
LEFT JOIN narrative ON narrative.report_id = r.id
LEFT JOIN tables ON tables.report_id = r.id
LEFT JOIN sections ON sections.report_id = r.id
"""

BODY_QUALITY_VIEW = """
CREATE VIEW body_quality AS
WITH missing AS (
    -- once, not per body: report_status is itself a view over every body and year
    SELECT site, agency, COUNT(*) AS years FROM report_status WHERE status = 'missing' GROUP BY site, agency
), summary AS (
    SELECT q.site, q.agency, COUNT(*) AS reports, MIN(q.year) AS first_year, MAX(q.year) AS last_year,
           ROUND(AVG(q.on_time), 3) AS on_time_share,
           ROUND(AVG(q.all_sections), 3) AS all_sections_share,
           ROUND(AVG(q.tables_present = 3), 3) AS all_tables_share,
           ROUND(AVG(q.hard_checks_ok), 3) AS hard_checks_ok_share,
           ROUND(AVG(q.narrative_agrees), 3) AS narrative_agrees_share,
           SUM(q.templated = 1) AS templated_reports,
           SUM(q.corrected) AS corrected_reports
    FROM report_quality q
    WHERE q.agency IS NOT NULL
    GROUP BY q.site, q.agency
)
SELECT s.site, s.agency, s.reports, s.first_year, s.last_year, COALESCE(m.years, 0) AS years_missing,
       s.on_time_share, s.all_sections_share, s.all_tables_share, s.hard_checks_ok_share,
       s.narrative_agrees_share, s.templated_reports, s.corrected_reports
FROM summary s LEFT JOIN missing m ON m.site = s.site AND m.agency = s.agency
"""


def _tenfold(column: str) -> str:
    """SQL: ``column`` is at least ten times last year's, or at most a tenth, small counts counting
    as TENFOLD (so 0 → 42 is no outlier, 20 → 200 and 0 → 100 are)."""
    now, then = column, f"previous_{column}"
    return (
        f"({now} IS NOT NULL AND {then} IS NOT NULL "
        f"AND MAX({now}, {then}) >= 10 * MAX(MIN({now}, {then}), {TENFOLD}))"
    )


_CELL = """(SELECT SUM(c.value) FROM cells c WHERE c.report_id = r.id AND c.[table] = '{table}'
            AND c.[column] = 'total' AND c.row {match})"""

FIGURE_SERIES_VIEW = f"""
CREATE VIEW figure_series AS
WITH figures AS (
    SELECT r.id AS report_id, r.site, r.agency_key, r.agency, r.year,
           json_extract(r.narrative, '$.proactive_total') AS proactive_total,
           r.sec3_new_received_total AS new_requests,
           {_CELL.format(table="sec3", match="= 'granted'")} AS granted,
           {_CELL.format(table="sec3", match="= 'total_processed'")} AS processed,
           {_CELL.format(table="sec3", match="= 'carried_over'")} AS carried_over,
           {_CELL.format(table="sec3", match="= 'carried_forward'")} AS carried_forward,
           {_CELL.format(table="sec4", match="= 'review'")} AS reviews,
           {_CELL.format(table="sec4", match="LIKE 'litigation%'")} AS lawsuits
    FROM reports r WHERE r.year IS NOT NULL
), paired AS (
    SELECT f.*, ROUND(1.0 * f.granted / NULLIF(f.processed, 0), 3) AS granted_share,
           p.report_id AS previous_report_id, p.proactive_total AS previous_proactive_total,
           p.new_requests AS previous_new_requests,
           ROUND(1.0 * p.granted / NULLIF(p.processed, 0), 3) AS previous_granted_share,
           p.reviews AS previous_reviews, p.lawsuits AS previous_lawsuits,
           p.carried_forward AS previous_carried_forward
    FROM figures f LEFT JOIN figures p ON p.agency_key = f.agency_key AND p.year = f.year - 1
)
SELECT report_id, site, agency, year, proactive_total, new_requests, granted_share, reviews, lawsuits,
       carried_over, previous_carried_forward, previous_report_id,
       proactive_total - previous_proactive_total AS proactive_change,
       new_requests - previous_new_requests AS new_requests_change,
       ROUND(granted_share - previous_granted_share, 3) AS granted_share_change,
       reviews - previous_reviews AS reviews_change,
       lawsuits - previous_lawsuits AS lawsuits_change,
       NULLIF(TRIM(
         CASE WHEN {_tenfold("proactive_total")} THEN 'proactive_total tenfold ' ELSE '' END ||
         CASE WHEN {_tenfold("new_requests")} THEN 'new_requests tenfold ' ELSE '' END ||
         CASE WHEN {_tenfold("reviews")} THEN 'reviews tenfold ' ELSE '' END ||
         CASE WHEN {_tenfold("lawsuits")} THEN 'lawsuits tenfold ' ELSE '' END ||
         CASE WHEN carried_over IS NOT NULL AND previous_carried_forward IS NOT NULL
                   AND carried_over != previous_carried_forward THEN 'carry_chain' ELSE '' END
       ), '') AS outliers
FROM paired
"""

