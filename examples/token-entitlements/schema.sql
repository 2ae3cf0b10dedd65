-- The entitlements table of examples/token-entitlements, for three users. Works on PostgreSQL
-- (psql -f schema.sql) and on embedded PGlite (APP_DB='pglite:memory?seed=…/schema.sql').
CREATE TABLE IF NOT EXISTS entitlements (
  user_id text NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (user_id, name)
);

INSERT INTO entitlements (user_id, name) VALUES
  ('00uAnn0000000000001', 'reports'),
  ('00uAnn0000000000001', 'billing'),
  ('00uBo00000000000002', 'reports')
ON CONFLICT (user_id, name) DO NOTHING;

-- The service only reads: give it a role that can do nothing else (docs/facts.md).
-- CREATE ROLE hook_rules LOGIN PASSWORD '…';
-- GRANT SELECT ON entitlements TO hook_rules;
