-- The restricted_domains table of examples/restricted-domains-db. Works on PostgreSQL and PGlite.
CREATE TABLE IF NOT EXISTS restricted_domains (
  domain text PRIMARY KEY CHECK (domain = lower(domain)),
  reason text NOT NULL
);

INSERT INTO restricted_domains (domain, reason) VALUES
  ('sanctioned.example', 'sanctions'),
  ('competitor.example', 'competitor')
ON CONFLICT (domain) DO NOTHING;
