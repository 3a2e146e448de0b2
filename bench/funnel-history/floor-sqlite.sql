-- The quarter 2026-07-01..2026-10-01 of leadFunnel grouped by source, written by hand (SQLite).
WITH c AS (SELECT i.subject_id AS u, i.stage AS stage, MIN(i.entered_at) AS t0,
    (CASE i.stage WHEN 'INQUIRY' THEN 0 WHEN 'MQL' THEN 1 WHEN 'SAL' THEN 2 WHEN 'SQL' THEN 3 WHEN 'OPPORTUNITY' THEN 4 WHEN 'CUSTOMER' THEN 5 ELSE NULL END) AS r
  FROM stage_interval i WHERE i.kind = 'LEAD' AND i.entered_at >= '2026-07-01T00:00:00+00:00' AND i.entered_at < '2026-10-01T00:00:00+00:00' GROUP BY i.subject_id, i.stage),
k AS (SELECT s.lead_source AS g, c.stage AS stage, c.r AS r, c.t0 AS t0,
   (SELECT MIN(x.entered_at) FROM stage_interval x WHERE x.subject_id = c.u AND x.kind = 'LEAD' AND x.entered_at > c.t0 AND x.entered_at < '2026-12-01T20:00:00+00:00'
    AND (CASE x.stage WHEN 'INQUIRY' THEN 0 WHEN 'MQL' THEN 1 WHEN 'SAL' THEN 2 WHEN 'SQL' THEN 3 WHEN 'OPPORTUNITY' THEN 4 WHEN 'CUSTOMER' THEN 5 ELSE NULL END) > c.r) AS t1
  FROM c JOIN stakeholder s ON s.id = c.u),
d AS (SELECT g, stage, ((unixepoch(t1, 'subsec') - unixepoch(t0, 'subsec')) / 3600.0) AS h FROM k WHERE t1 IS NOT NULL),
m AS (SELECT g, stage, h, ROW_NUMBER() OVER (PARTITION BY g, stage ORDER BY h) AS rn, COUNT(*) OVER (PARTITION BY g, stage) AS cnt FROM d),
y AS (SELECT i.subject_id AS u, i.stage AS stage FROM stage_interval i WHERE i.kind = 'LEAD' AND i.left_at IS NULL AND i.entered_at < '2026-10-01T00:00:00+00:00'
  UNION ALL SELECT i.subject_id, i.stage FROM stage_interval i WHERE i.kind = 'LEAD' AND i.left_at >= '2026-10-01T00:00:00+00:00' AND i.entered_at < '2026-10-01T00:00:00+00:00')
SELECT 'ENTERED' AS f, g, stage, COUNT(*) AS n, CAST(NULL AS DOUBLE PRECISION) AS x FROM k GROUP BY g, stage
UNION ALL SELECT 'AT_END', s.lead_source, y.stage, COUNT(*), NULL FROM y JOIN stakeholder s ON s.id = y.u GROUP BY s.lead_source, y.stage
UNION ALL SELECT 'CONVERTED', g, stage, COUNT(*), AVG(h) FROM d GROUP BY g, stage
UNION ALL SELECT 'MEDIAN', g, stage, COUNT(*), AVG(h) FROM m WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g, stage;
