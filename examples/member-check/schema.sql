-- The members table of examples/member-check, with three members. Works on PostgreSQL
-- (psql -f schema.sql) and on embedded PGlite (MEMBERS_DB='pglite:memory?seed=…/schema.sql').
CREATE TABLE IF NOT EXISTS members (
  member_number text PRIMARY KEY,
  birth_date date NOT NULL,
  plan text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'suspended'))
);

INSERT INTO members (member_number, birth_date, plan, status) VALUES
  ('1001', '1990-04-01', 'gold', 'active'),
  ('1002', '1985-12-24', 'basic', 'suspended'),
  ('1003', '1972-07-15', 'silver', 'active')
ON CONFLICT (member_number) DO NOTHING;

-- The service only reads: give it a role that can do nothing else (docs/facts.md).
-- CREATE ROLE hook_rules LOGIN PASSWORD '…';
-- GRANT SELECT ON members TO hook_rules;
