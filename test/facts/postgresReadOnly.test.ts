import { expect } from 'chai';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/facts/databaseUrl.js';
import { Postgres } from '../../src/facts/sources/Postgres.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

/**
 * Read-only per lookup, against a real PostgreSQL server started here: each lookup runs in its
 * own read-only transaction (rolled back) with a local statement_timeout, so neither a URL that
 * turns the session's read-only default off nor a statement that changes the session can make
 * a later lookup write.
 */
describe('facts: PostgreSQL lookups are read-only per lookup', function () {
  this.timeout(120_000);
  let db: PostgresServer;
  const opened: Postgres[] = [];
  const signal = () => AbortSignal.timeout(10_000);
  /** One connection, so that every lookup of a test meets the session the one before left. */
  const database = (url: string) => {
    const postgres = new Postgres('sql:T', url, { statementTimeoutMs: 1500, max: 1 });
    opened.push(postgres);
    return postgres;
  };
  const sequence = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<{ last_value: string; is_called: boolean }>('SELECT last_value, is_called FROM s')).rows[0];
    } finally {
      await client.end();
    }
  };

  before(async () => {
    db = await startPostgres();
    await db.sql("CREATE SEQUENCE s; CREATE TABLE members (member_number text PRIMARY KEY, plan text); INSERT INTO members VALUES ('1001', 'gold')");
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((postgres) => postgres.close()));
  });
  after(() => db?.stop());

  it("a URL whose options turn the session's read-only default off is refused at load", () => {
    const url = `${db.url}?options=-c%20default_transaction_read_only%3Doff`;
    expect(parseDatabaseUrl(url)).to.have.property('problem').that.matches(/^the URL parameter "options" is not allowed/);
    expect(parseDatabaseUrl(`${db.url}?sslmode=disable`)).to.deep.equal({ kind: 'postgres', url: `${db.url}?sslmode=disable` });
  });

  it("SELECT nextval('s') through such a URL still fails as a read-only violation, and the sequence stays untouched", async () => {
    const postgres = database(`${db.url}?options=-c%20default_transaction_read_only%3Doff%20-c%20statement_timeout%3D0`);
    const written = await postgres.query("SELECT nextval('s') AS n", [], signal());
    expect(written).to.deep.equal({ ok: false, kind: 'query_error', message: 'the query failed (SQLSTATE 25006 read_only_sql_transaction)' });
    expect(await sequence()).to.deep.equal({ last_value: '1', is_called: false });
    // The lookup's own transaction says so, with its local statement_timeout, whatever the URL set.
    expect(await postgres.query("SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout", [], signal())).to.deep.equal({
      ok: true,
      value: { ro: 'on', timeout: '1500ms' },
    });
  });

  it('set_config(…, false) in one lookup does not reach the next on the same pooled connection', async () => {
    const postgres = database(db.url);
    const trick = await postgres.query(
      "SELECT set_config('default_transaction_read_only', 'off', false) AS ro, set_config('statement_timeout', '0', false) AS timeout, set_config('search_path', 'nowhere', false) AS path, pg_backend_pid() AS pid",
      [],
      signal(),
    );
    if (!trick.ok) throw new Error(trick.message);
    const { pid } = trick.value as { pid: number };
    const next = await postgres.query(
      "SELECT current_setting('default_transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout, current_setting('search_path') AS path, pg_backend_pid() AS pid",
      [],
      signal(),
    );
    expect(next).to.deep.equal({ ok: true, value: { ro: 'on', timeout: '1500ms', path: '"$user", public', pid } });
    expect(await postgres.query("SELECT nextval('s') AS n", [], signal())).to.deep.include({ ok: false, kind: 'query_error' });
    expect(await sequence()).to.deep.equal({ last_value: '1', is_called: false });
    // Read-write cannot be asked for inside the lookup's transaction either.
    expect(await postgres.query("SELECT set_config('transaction_read_only', 'off', true) AS v", [], signal())).to.deep.equal({
      ok: false,
      kind: 'query_error',
      message: 'the query failed (SQLSTATE 25001 active_sql_transaction)',
    });
  });

  it('a failed lookup leaves the connection usable; parameters stay bound', async () => {
    const postgres = database(db.url);
    expect(await postgres.query('SELECT plan FROM members WHERE $1::int > 0', ['x'], signal())).to.deep.equal({
      ok: false,
      kind: 'query_error',
      message: 'the query failed (SQLSTATE 22P02 invalid_text_representation)',
    });
    expect(await postgres.query('SELECT plan FROM members WHERE member_number = $1', ["1001' OR '1'='1"], signal())).to.deep.equal({ ok: true, value: null });
    expect(await postgres.query('SELECT plan FROM members WHERE member_number = $1', ['1001'], signal())).to.deep.equal({ ok: true, value: { plan: 'gold' } });
  });

  it('describe prepares a statement without running it: an unknown column is refused with its SQLSTATE; nothing is left on the connection', async () => {
    const postgres = database(db.url);
    expect(await postgres.describe('SELECT plan FROM members WHERE member_number = $1', signal())).to.deep.equal({ ok: true });
    expect(await postgres.describe('SELECT plann FROM members WHERE member_number = $1', signal())).to.deep.equal({
      ok: false,
      refused: true,
      code: '42703',
      message: 'column "plann" does not exist',
    });
    expect(await postgres.describe('SELECT plan FROM memberz', signal())).to.deep.include({ ok: false, refused: true, code: '42P01' });
    // Prepared, never executed: the sequence does not move.
    expect(await postgres.describe("SELECT nextval('s') AS n", signal())).to.deep.equal({ ok: true });
    expect(await sequence()).to.deep.equal({ last_value: '1', is_called: false });
    expect(await postgres.query('SELECT count(*)::int AS n FROM pg_prepared_statements', [], signal())).to.deep.equal({ ok: true, value: { n: 0 } });
  });

  it('describe on a server that is not there says so, as not refused', async () => {
    const postgres = database('postgres://nobody@127.0.0.1:1/none');
    expect(await postgres.describe('SELECT 1', signal())).to.deep.include({ ok: false, refused: false });
  });
});
