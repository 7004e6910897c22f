-- Fills the schema the migrations made (bench/console.sh runs `db migrate` first) with :events audit
-- events over the 30 days before now, the keys they name, and the per-minute counts the store's writers
-- keep (audit_minute_counts and the summary's counts, as AuditMinuteCounts and AuditSummaryCounts would have
-- written them). psql -v events=N -f this.
--
-- The spread: 88 % key uses by 50 active keys (a few keys carry most of the traffic), from their
-- services' internal addresses; 6 % rejected keys (unknown, inactive, expired, malformed), with
-- fingerprints of which a few are tried very often, from a few thousand outside addresses of which a
-- few send most; the rest people: sign-ins (some failed), token refreshes, rejected tokens.
-- The indexes are dropped while the rows go in and made again from their own definitions after.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET max_parallel_maintenance_workers = 1;

TRUNCATE audit_events, audit_minute_counts, audit_hour_counts, audit_day_failures, audit_day_fingerprints;
DELETE FROM api_keys;

-- keys 1-50 active (45-50 expire within a week), 51-55 deactivated, 56-60 expired, 61-70 active and never used
INSERT INTO api_keys (id, name, prefix, key_hash, scopes, is_active, created_at, expires_at, last_used_at,
                      deactivated_at, updated_at)
SELECT i, 'bench-' || i, substr(md5('p' || i), 1, 8), md5('k' || i) || md5('h' || i), 'users-info:read',
       i <= 50 OR i > 60, now() - interval '90 days',
       CASE WHEN i BETWEEN 45 AND 50 THEN now() + (i - 44) * interval '1 day'
            WHEN i BETWEEN 56 AND 60 THEN now() - interval '3 days' END,
       NULL, CASE WHEN i BETWEEN 51 AND 55 THEN now() - interval '20 days' END, now()
FROM generate_series(1, 70) i;

CREATE TEMP TABLE saved_indexes AS
SELECT indexdef FROM pg_indexes
WHERE tablename = 'audit_events' AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'audit_events'::regclass);
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM pg_indexes WHERE tablename = 'audit_events'
           AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'audit_events'::regclass) LOOP
    EXECUTE 'DROP INDEX ' || quote_ident(r.indexname);
  END LOOP;
END $$;
ALTER TABLE audit_events DROP CONSTRAINT pk_audit_events;

\timing on
INSERT INTO audit_events (id, occurred_at, type, outcome, reason, key_id, key_name, key_prefix, user_id,
                          client_address, user_agent, method, path, status, request_id, instance_id,
                          fingerprint, actor, surface)
SELECT gen_random_uuid(), t,
       CASE WHEN r < 0.88 THEN 'api_key.used' WHEN r < 0.94 THEN 'api_key.rejected'
            WHEN r < 0.97 THEN 'login.succeeded' WHEN r < 0.98 THEN 'login.failed'
            WHEN r < 0.995 THEN 'token.refreshed' ELSE 'token.rejected' END,
       CASE WHEN r < 0.88 OR (r >= 0.94 AND r < 0.97) OR (r >= 0.98 AND r < 0.995) THEN 'success' ELSE 'failure' END,
       CASE WHEN r < 0.88 THEN NULL
            WHEN r < 0.94 THEN CASE WHEN a < 0.70 THEN 'unknown' WHEN a < 0.85 THEN 'inactive'
                                    WHEN a < 0.95 THEN 'expired' ELSE 'malformed' END
            WHEN r < 0.97 THEN NULL
            WHEN r < 0.98 THEN CASE WHEN a < 0.8 THEN 'bad_password' ELSE 'unknown_user' END
            WHEN r < 0.995 THEN NULL
            ELSE CASE WHEN a < 0.6 THEN 'expired' ELSE 'bad_signature' END END,
       k, CASE WHEN k IS NOT NULL THEN 'bench-' || k END, CASE WHEN k IS NOT NULL THEN substr(md5('p' || k), 1, 8) END,
       CASE WHEN r >= 0.94 THEN 1 + floor(200 * b)::int END,
       CASE WHEN r < 0.88 THEN '10.0.' || k || '.' || floor(8 * b)::int
            WHEN r < 0.94 THEN '203.0.' || floor(40 * b * b)::int || '.' || floor(100 * c * c)::int
            ELSE '10.1.' || floor(20 * b)::int || '.' || floor(250 * c)::int END,
       'bench/1.0', 'GET', CASE WHEN r < 0.94 THEN '/api/v1/tts/users-info/' ELSE '/api/v1/token/' END,
       CASE WHEN r < 0.88 OR (r >= 0.94 AND r < 0.97) OR (r >= 0.98 AND r < 0.995) THEN 200 ELSE 401 END,
       'req-' || g, 'bench-fill',
       CASE WHEN r >= 0.88 AND r < 0.94 THEN 'hmac-sha256:' || md5('f' || floor(5000 * c * c * c)::int) || md5('g' || floor(5000 * c * c * c)::int) END,
       NULL, CASE WHEN r < 0.94 THEN 'api' ELSE 'token' END
FROM (SELECT g, r, a, b, c, t,
             CASE WHEN r < 0.88 THEN 1 + floor(50 * a * a)::int
                  WHEN r < 0.94 AND a >= 0.70 AND a < 0.85 THEN 51 + floor(5 * b)::int
                  WHEN r < 0.94 AND a >= 0.85 AND a < 0.95 THEN 56 + floor(5 * b)::int END AS k
      FROM (SELECT g, random() AS r, random() AS a, random() AS b, random() AS c,
                   now() - random() * interval '30 days' AS t
            FROM generate_series(1, :events) g) s0) s;

ALTER TABLE audit_events ADD CONSTRAINT pk_audit_events PRIMARY KEY (id);
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexdef FROM saved_indexes LOOP EXECUTE r.indexdef; END LOOP;
END $$;

-- what the writers keep as they insert (AuditMinuteCounts), and the keys' last use (the key cache writes it)
INSERT INTO audit_minute_counts (minute_at, key_id, type, outcome, reason, events)
SELECT date_trunc('minute', occurred_at), COALESCE(key_id, 0), type, outcome, COALESCE(reason, ''), COUNT(*)
FROM audit_events GROUP BY 1, 2, 3, 4, 5;
-- and what AuditSummaryCounts keeps: hours by key, type, outcome, reason; days of failures by address and of
-- rejected keys by fingerprint and address
INSERT INTO audit_hour_counts (hour_at, key_id, type, outcome, reason, events)
SELECT date_trunc('hour', minute_at, 'UTC'), key_id, type, outcome, reason, SUM(events)
FROM audit_minute_counts GROUP BY 1, 2, 3, 4, 5;
INSERT INTO audit_day_failures (day_at, client_address, events)
SELECT date_trunc('day', occurred_at, 'UTC'), client_address, COUNT(*) FROM audit_events
WHERE outcome = 'failure' AND client_address IS NOT NULL GROUP BY 1, 2;
INSERT INTO audit_day_fingerprints (day_at, fingerprint, client_address, events, first_at, last_at)
SELECT date_trunc('day', occurred_at, 'UTC'), fingerprint, COALESCE(client_address, ''), COUNT(*), MIN(occurred_at), MAX(occurred_at)
FROM audit_events WHERE type = 'api_key.rejected' AND outcome = 'failure' AND fingerprint IS NOT NULL GROUP BY 1, 2, 3;
UPDATE api_keys k SET last_used_at = (SELECT max(occurred_at) FROM audit_events e WHERE e.key_id = k.id AND e.type = 'api_key.used');
SELECT setval(pg_get_serial_sequence('api_keys', 'id'), 1000);
VACUUM ANALYZE audit_events;
VACUUM ANALYZE audit_minute_counts;
VACUUM ANALYZE audit_hour_counts;
VACUUM ANALYZE audit_day_failures;
VACUUM ANALYZE audit_day_fingerprints;
VACUUM ANALYZE api_keys;
SELECT count(*) AS events FROM audit_events;
SELECT count(*) AS minute_count_rows FROM audit_minute_counts;
