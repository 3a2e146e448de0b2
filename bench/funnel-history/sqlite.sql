-- A two-year stage history for a medium seed (SQLite): every lead and opportunity gets a path from
-- its creation to its current stage (recycles, rejections, losses), consistent intervals and changes.
-- Usage: sqlite3 copy-of-medium.db < bench/funnel-history/sqlite.sql   (rewrites LEAD and OPPORTUNITY history)
CREATE TEMP TABLE path(kind TEXT, cur TEXT, v INT, pos INT, stage TEXT, reason TEXT);
INSERT INTO path VALUES
('LEAD','INQUIRY',0,0,'INQUIRY',NULL),('LEAD','INQUIRY',1,0,'INQUIRY',NULL),
('LEAD','MQL',0,0,'INQUIRY',NULL),('LEAD','MQL',0,1,'MQL',NULL),
('LEAD','MQL',1,0,'INQUIRY',NULL),('LEAD','MQL',1,1,'MQL',NULL),('LEAD','MQL',1,2,'NURTURE','BAD_TIMING'),('LEAD','MQL',1,3,'MQL',NULL),
('LEAD','NURTURE',0,0,'INQUIRY',NULL),('LEAD','NURTURE',0,1,'MQL',NULL),('LEAD','NURTURE',0,2,'NURTURE','NO_BUDGET'),
('LEAD','NURTURE',1,0,'INQUIRY',NULL),('LEAD','NURTURE',1,1,'MQL',NULL),('LEAD','NURTURE',1,2,'SAL',NULL),('LEAD','NURTURE',1,3,'NURTURE','BAD_TIMING'),
('LEAD','DISQUALIFIED',0,0,'INQUIRY',NULL),('LEAD','DISQUALIFIED',0,1,'MQL',NULL),('LEAD','DISQUALIFIED',0,2,'DISQUALIFIED','NOT_A_FIT'),
('LEAD','DISQUALIFIED',1,0,'INQUIRY',NULL),('LEAD','DISQUALIFIED',1,1,'DISQUALIFIED','BAD_CONTACT_DATA');
-- the ladder, straight (v 0) or with a rejection and requalification (v 1)
WITH RECURSIVE l(r, stage) AS (VALUES (0,'INQUIRY'),(1,'MQL'),(2,'SAL'),(3,'SQL'),(4,'OPPORTUNITY'),(5,'CUSTOMER'))
INSERT INTO path SELECT 'LEAD', c.stage, 0, l.r, l.stage, NULL FROM l c JOIN l ON l.r <= c.r WHERE c.r >= 2
UNION ALL SELECT 'LEAD', c.stage, 1, CASE WHEN l.r <= 1 THEN l.r ELSE l.r + 2 END, l.stage, NULL FROM l c JOIN l ON l.r <= c.r WHERE c.r >= 2
UNION ALL SELECT 'LEAD', c.stage, 1, 2, 'NURTURE', 'NO_NEED' FROM l c WHERE c.r >= 2
UNION ALL SELECT 'LEAD', c.stage, 1, 3, 'MQL', NULL FROM l c WHERE c.r >= 2;
WITH RECURSIVE l(r, stage) AS (VALUES (0,'DISCOVERY'),(1,'QUALIFICATION'),(2,'EVALUATION'),(3,'PROPOSAL'),(4,'NEGOTIATION'),(5,'CLOSED_WON'))
INSERT INTO path SELECT 'OPPORTUNITY', c.stage, v.v, l.r, l.stage, NULL FROM l c JOIN l ON l.r <= c.r, (SELECT 0 v UNION ALL SELECT 1) v
UNION ALL SELECT 'OPPORTUNITY', 'CLOSED_LOST', v.v, l.r, l.stage, NULL FROM l, (SELECT 0 v UNION ALL SELECT 1) v WHERE l.r <= 1 + 2 * v.v
UNION ALL SELECT 'OPPORTUNITY', 'CLOSED_LOST', v.v, 2 + 2 * v.v, 'CLOSED_LOST', CASE v.v WHEN 0 THEN 'NO_DECISION' ELSE 'LOST_TO_COMPETITOR' END FROM (SELECT 0 v UNION ALL SELECT 1) v;
CREATE TEMP TABLE plen AS SELECT kind, cur, v, COUNT(*) AS n FROM path GROUP BY kind, cur, v;
CREATE TEMP TABLE u AS
  SELECT 'LEAD' AS kind, s.id AS id, s.account_id AS account_id, i.stage AS cur, s.created_at AS c0, julianday(s.created_at) AS jc,
    (julianday('2026-12-01T12:00:00') - julianday(s.created_at)) * 0.9 * (0.3 + ((s.rowid * 7919) % 1000) / 1430.0) AS span,
    CASE WHEN s.rowid % 4 = 0 THEN 1 ELSE 0 END AS v
  FROM stage_interval i JOIN stakeholder s ON s.id = i.subject_id WHERE i.kind = 'LEAD'
  UNION ALL
  SELECT 'OPPORTUNITY', o.id, o.account_id, i.stage, o.created_at, julianday(o.created_at),
    (julianday('2026-12-01T12:00:00') - julianday(o.created_at)) * 0.9 * (0.3 + ((o.rowid * 7919) % 1000) / 1430.0),
    o.rowid % 2
  FROM stage_interval i JOIN opportunity o ON o.id = i.subject_id WHERE i.kind = 'OPPORTUNITY';
CREATE TEMP TABLE st AS
  SELECT u.kind, u.id, u.account_id, p.pos, p.stage, p.reason,
    CASE WHEN p.pos = 0 THEN u.c0 ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', u.jc + u.span * p.pos / (n.n - 1.0)) END AS t
  FROM u JOIN path p ON p.kind = u.kind AND p.cur = u.cur AND p.v = u.v
  JOIN plen n ON n.kind = u.kind AND n.cur = u.cur AND n.v = u.v;
CREATE TEMP TABLE st2 AS SELECT *, LAG(stage) OVER w AS prev, LEAD(t) OVER w AS nxt FROM st WINDOW w AS (PARTITION BY id ORDER BY pos);
DELETE FROM stage_interval WHERE kind IN ('LEAD', 'OPPORTUNITY');
INSERT INTO stage_interval (subject_id, entered_at, kind, account_id, stage, left_at)
  SELECT id, t, kind, account_id, stage, nxt FROM st2;
INSERT INTO stage_change (id, kind, subject_id, stakeholder_id, opportunity_id, account_id, from_stage, to_stage, reason_code, changed_at)
  SELECT randomblob(16), kind, id, CASE WHEN kind = 'LEAD' THEN id END, CASE WHEN kind = 'OPPORTUNITY' THEN id END,
    account_id, prev, stage, reason, t FROM st2 WHERE pos > 0;
SELECT kind, COUNT(*) FROM stage_interval GROUP BY kind;
SELECT kind, COUNT(*) FROM stage_change GROUP BY kind;
