-- The quarter 2026-07-01..2026-10-01 of leadFunnel grouped by source, written by hand (PostgreSQL).
WITH e AS (SELECT i.subject_id AS u, s.lead_source AS g, i.stage AS stage, (CASE i.stage WHEN 'INQUIRY' THEN 0 WHEN 'MQL' THEN 1 WHEN 'SAL' THEN 2 WHEN 'SQL' THEN 3 WHEN 'OPPORTUNITY' THEN 4 WHEN 'CUSTOMER' THEN 5 ELSE NULL END) AS r,
  i.entered_at AS t FROM stage_interval i JOIN stakeholder s ON s.id = i.subject_id
  WHERE i.kind = 'LEAD' AND i.entered_at >= timestamptz '2026-07-01T00:00:00Z' AND i.entered_at < timestamptz '2026-10-01T00:00:00Z'),
y AS (SELECT i.subject_id AS u, i.stage AS stage FROM stage_interval i WHERE i.kind = 'LEAD' AND i.left_at IS NULL AND i.entered_at < timestamptz '2026-10-01T00:00:00Z'
  UNION ALL SELECT i.subject_id, i.stage FROM stage_interval i WHERE i.kind = 'LEAD' AND i.left_at >= timestamptz '2026-10-01T00:00:00Z' AND i.entered_at < timestamptz '2026-10-01T00:00:00Z'),
z AS (SELECT s.id AS u, s.lead_source AS g, y.stage AS stage FROM y JOIN stakeholder s ON s.id = y.u WHERE 1 = 1),
c AS (SELECT g, u, stage, r, MIN(t) AS t0 FROM e GROUP BY g, u, stage, r),
k AS MATERIALIZED (SELECT c.g AS g, c.stage AS stage, c.t0 AS t0, (SELECT MIN(x.entered_at) FROM stage_interval x WHERE x.subject_id = c.u AND x.kind = 'LEAD' AND x.entered_at > c.t0 AND x.entered_at < timestamptz '2026-12-01T20:00:00Z'
   AND (CASE x.stage WHEN 'INQUIRY' THEN 0 WHEN 'MQL' THEN 1 WHEN 'SAL' THEN 2 WHEN 'SQL' THEN 3 WHEN 'OPPORTUNITY' THEN 4 WHEN 'CUSTOMER' THEN 5 ELSE NULL END) > c.r) AS t1 FROM c WHERE c.r < 5),
d AS (SELECT k.g AS g, k.stage AS stage, (CAST(EXTRACT(EPOCH FROM (k.t1 - k.t0)) AS DOUBLE PRECISION) / 3600.0) AS h FROM k WHERE k.t1 IS NOT NULL),
m AS (SELECT g, stage, h, ROW_NUMBER() OVER (PARTITION BY g, stage ORDER BY h) AS rn, COUNT(*) OVER (PARTITION BY g, stage) AS cnt FROM d)
SELECT 'ENTERED' AS f, g, stage, COUNT(*) AS n, CAST(NULL AS DOUBLE PRECISION) AS x FROM c GROUP BY g, stage
UNION ALL SELECT 'AT_END', g, stage, COUNT(*), NULL FROM z GROUP BY g, stage
UNION ALL SELECT 'CONVERTED', g, stage, COUNT(*), AVG(h) FROM d GROUP BY g, stage
UNION ALL SELECT 'MEDIAN', g, stage, COUNT(*), AVG(h) FROM m WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g, stage;
