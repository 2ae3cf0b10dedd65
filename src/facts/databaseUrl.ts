/**
 * A fact's `database` names an environment variable whose value is one of:
 * - postgres://user:password@host:5432/name (or postgresql://): a PostgreSQL server, through `pg`;
 * - pglite:memory: an embedded PGlite database in memory, empty at each start;
 * - pglite:PATH (relative to the working folder) or pglite:///ABSOLUTE/PATH: PGlite on a folder.
 * A PGlite URL may end in ?seed=FILE.sql: that file runs when the database is new (in memory:
 * at every start), so the examples and rule tests need no server.
 */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string | null; seed: string | null };

export function parseDatabaseUrl(url: string): DatabaseTarget | { problem: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      return { problem: 'not a valid postgres:// URL' };
    }
    return { kind: 'postgres', url };
  }
  if (url.startsWith('pglite:')) {
    const [rest, search = ''] = url.slice('pglite:'.length).split('?', 2) as [string, string?];
    const seed = new URLSearchParams(search).get('seed');
    const where = rest.startsWith('//') ? rest.slice(2) : rest;
    if (where === '') return { problem: 'a pglite URL names a folder (pglite:PATH) or memory (pglite:memory)' };
    return { kind: 'pglite', dataDir: where === 'memory' ? null : decodeURIComponent(where), seed };
  }
  // The value may hold a password: name the scheme only.
  return { problem: `the URL must start with postgres://, postgresql:// or pglite: (it starts with "${url.split(':')[0]!.slice(0, 12)}:")` };
}

export function databaseUrlProblem(url: string): string | null {
  const parsed = parseDatabaseUrl(url);
  return 'problem' in parsed ? parsed.problem : null;
}
