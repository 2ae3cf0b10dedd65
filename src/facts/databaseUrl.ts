/**
 * A fact's `database` names an environment variable whose value is one of:
 * - postgres://user:password@host:5432/name (or postgresql://): a PostgreSQL server, through `pg`;
 * - pglite:memory: an embedded PGlite database in memory, empty at each start;
 * - pglite:PATH (relative to the working folder) or pglite:///ABSOLUTE/PATH: PGlite on a folder.
 * A PGlite URL may end in ?seed=FILE.sql: that file runs when the database is new (in memory:
 * at every start), so the examples and rule tests need no server.
 *
 * A postgres URL's parameters may only say where and how to connect (POSTGRES_PARAMETERS).
 * `pg` lets the URL's parameters override the service's own, so `options`, `statement_timeout`,
 * `replication` and the like could change the session (its read-only default, its timeout, the
 * search_path a fact's table is found in): they are refused, not ignored, so that what runs is
 * what the URL says.
 */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string | null; seed: string | null };

/** Where and how to connect: the server, the account, TLS. */
export const POSTGRES_PARAMETERS: readonly string[] = ['host', 'port', 'user', 'password', 'ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslnegotiation', 'uselibpqcompat'];

export function parseDatabaseUrl(url: string): DatabaseTarget | { problem: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: 'not a valid postgres:// URL' };
    }
    const refused = unknownParameters(parsed.searchParams, POSTGRES_PARAMETERS);
    if (refused) {
      return {
        problem: `the URL parameter ${refused} is not allowed: it could change the session's settings (read-only, statement_timeout); only ${POSTGRES_PARAMETERS.join(', ')} are`,
      };
    }
    return { kind: 'postgres', url };
  }
  if (url.startsWith('pglite:')) {
    const [rest, search = ''] = url.slice('pglite:'.length).split('?', 2) as [string, string?];
    const parameters = new URLSearchParams(search);
    const refused = unknownParameters(parameters, ['seed']);
    if (refused) return { problem: `the URL parameter ${refused} is not allowed: a pglite URL takes only ?seed=FILE.sql` };
    const seed = parameters.get('seed');
    const where = rest.startsWith('//') ? rest.slice(2) : rest;
    if (where === '') return { problem: 'a pglite URL names a folder (pglite:PATH) or memory (pglite:memory)' };
    return { kind: 'pglite', dataDir: where === 'memory' ? null : decodeURIComponent(where), seed };
  }
  // The value may hold a password: name the scheme only.
  return { problem: `the URL must start with postgres://, postgresql:// or pglite: (it starts with "${url.split(':')[0]!.slice(0, 12)}:")` };
}

/** The first parameter not in `allowed`, quoted and shortened (never its value, which may be a secret), or null. */
function unknownParameters(parameters: URLSearchParams, allowed: readonly string[]): string | null {
  for (const name of parameters.keys()) if (!allowed.includes(name)) return JSON.stringify(name.slice(0, 40));
  return null;
}

export function databaseUrlProblem(url: string): string | null {
  const parsed = parseDatabaseUrl(url);
  return 'problem' in parsed ? parsed.problem : null;
}
