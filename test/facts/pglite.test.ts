import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseDatabaseUrl } from '../../src/facts/databaseUrl.js';
import { withFolderLock } from '../../src/facts/sources/folderLock.js';
import { Pglite } from '../../src/facts/sources/Pglite.js';
import { MEMBERS_SEED, SEED_COUNTER } from './support.js';

describe('facts: PGlite on a folder', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-pglite-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('parses the URL forms', () => {
    expect(parseDatabaseUrl('pglite:memory')).to.deep.equal({ kind: 'pglite', dataDir: null, seed: null });
    expect(parseDatabaseUrl('pglite:data/members?seed=schema.sql')).to.deep.equal({ kind: 'pglite', dataDir: 'data/members', seed: 'schema.sql' });
    expect(parseDatabaseUrl('pglite:///var/lib/members')).to.deep.equal({ kind: 'pglite', dataDir: '/var/lib/members', seed: null });
    expect(parseDatabaseUrl('postgres://u:p@h/db')).to.deep.equal({ kind: 'postgres', url: 'postgres://u:p@h/db' });
    expect(parseDatabaseUrl('pglite:')).to.have.property('problem');
    expect(parseDatabaseUrl('pglite:memory?seed=a.sql&debug=5')).to.deep.equal({ problem: 'the URL parameter "debug" is not allowed: a pglite URL takes only ?seed=FILE.sql' });
  });

  it('seeds a new folder once; reopened, it keeps its data and does not seed again; sessions are read-only', async () => {
    const data = path.join(dir, 'members');
    const first = new Pglite('sql:T', data, MEMBERS_SEED);
    await first.open();
    expect(first.state()).to.equal('up');
    const signal = () => AbortSignal.timeout(30_000);
    expect(await first.query('SELECT plan FROM members WHERE member_number = $1', ['1001'], signal())).to.deep.equal({ ok: true, value: { plan: 'gold' } });
    const write = await first.query("INSERT INTO members VALUES ('x', '2000-01-01', 'p', 'active')", [], signal());
    expect(write).to.deep.include({ ok: false, kind: 'query_error' });
    await first.close();

    // A second seed would add member 3000: the folder exists, so it must not run.
    const other = path.join(dir, 'other.sql');
    await writeFile(other, "INSERT INTO members VALUES ('3000', '2000-01-01', 'silver', 'active');");
    const again = new Pglite('sql:T', data, other);
    await again.open();
    expect(await again.query('SELECT count(*)::int AS n FROM members', [], signal())).to.deep.equal({ ok: true, value: { n: 2 } });
    await again.close();
  });

  it('two opened at once on a new folder: the folder is seeded once, and each reads its own copy of it', async () => {
    const data = path.join(dir, 'not', 'yet', 'shared'); // its parents do not exist either
    const both = [new Pglite('sql:A', data, SEED_COUNTER), new Pglite('sql:B', data, SEED_COUNTER)];
    await Promise.all(both.map((db) => db.open()));
    const signal = () => AbortSignal.timeout(30_000);
    const traces = [];
    for (const db of both) {
      expect(db.state()).to.equal('up');
      traces.push(await db.query('SELECT count(*)::int AS runs, min(at) AS at FROM seeded', [], signal()));
    }
    // One seed run, seen by both: had each seeded the folder in its own view, the moments would differ.
    expect(traces[0]).to.deep.include({ ok: true }).and.have.nested.property('value.runs', 1);
    expect(traces[1]).to.deep.equal(traces[0]);
    await Promise.all(both.map((db) => db.close()));
    expect(existsSync(`${data}.lock`), 'the lock is released').to.equal(false);
    // Opened again: still that one seed run.
    const again = new Pglite('sql:C', data, SEED_COUNTER);
    await again.open();
    expect(await again.query('SELECT count(*)::int AS runs, min(at) AS at FROM seeded', [], signal())).to.deep.equal(traces[0]);
    await again.close();
  });
});

describe('facts: PGlite lookups are read-only per lookup', function () {
  this.timeout(120_000);
  let db: Pglite;
  const signal = () => AbortSignal.timeout(30_000);
  before(async () => {
    db = new Pglite('sql:T', null, MEMBERS_SEED);
    await db.open();
  });
  after(() => db?.close());

  it("set_config(…, false) in one lookup does not reach the next; nextval fails as read-only and the sequence stays", async () => {
    const trick = await db.query("SELECT set_config('default_transaction_read_only', 'off', false) AS ro, set_config('search_path', 'nowhere', false) AS path", [], signal());
    expect(trick).to.deep.equal({ ok: true, value: { ro: 'off', path: 'nowhere' } });
    expect(await db.query("SELECT current_setting('default_transaction_read_only') AS ro, current_setting('search_path') AS path", [], signal())).to.deep.equal({
      ok: true,
      value: { ro: 'on', path: 'public' },
    });
    expect(await db.query("SELECT nextval('visits') AS n", [], signal())).to.deep.equal({ ok: false, kind: 'query_error', message: 'the query failed (SQLSTATE 25006 read_only_sql_transaction)' });
    expect(await db.query('SELECT last_value::int AS n, is_called FROM visits', [], signal())).to.deep.equal({ ok: true, value: { n: 1, is_called: false } });
    expect(await db.query('SELECT plan FROM members WHERE member_number = $1', ['1001'], signal())).to.deep.equal({ ok: true, value: { plan: 'gold' } });
  });

  it('describe parses without running: an unknown column is refused with its SQLSTATE', async () => {
    expect(await db.describe('SELECT plan FROM members WHERE member_number = $1', signal())).to.deep.equal({ ok: true });
    expect(await db.describe('SELECT plann FROM members WHERE member_number = $1', signal())).to.deep.equal({ ok: false, refused: true, code: '42703', message: 'column "plann" does not exist' });
    expect(await db.describe("SELECT nextval('visits') AS n", signal())).to.deep.equal({ ok: true });
    expect(await db.query('SELECT is_called FROM visits', [], signal())).to.deep.equal({ ok: true, value: { is_called: false } });
  });
});

describe('facts: the lock beside a PGlite folder', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-lock-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('one holder at a time: the second waits until the first is done', async () => {
    const lock = path.join(dir, 'a.lock');
    const order: string[] = [];
    const hold = (name: string) =>
      withFolderLock(lock, { waitMs: 30_000, pollMs: 10 }, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`${name} out`);
      });
    await Promise.all([hold('first'), hold('second')]);
    // Which one the file system lets in first is a race; that the other waits until it is out is not.
    const [one] = order[0]!.split(' ');
    const other = one === 'first' ? 'second' : 'first';
    expect(order).to.deep.equal([`${one} in`, `${one} out`, `${other} in`, `${other} out`]);
    expect(existsSync(lock)).to.equal(false);
  });

  it('a lock left by a process that died on this host is taken over; one held by a live process is waited for, then named', async () => {
    const lock = path.join(dir, 'b.lock');
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
    await writeFile(lock, `${dead}\n${os.hostname()}\n`);
    expect(await withFolderLock(lock, { waitMs: 5_000, pollMs: 10 }, async () => 'ran')).to.equal('ran');

    await writeFile(lock, `${process.pid}\n${os.hostname()}\n`);
    let error: Error | undefined;
    await withFolderLock(lock, { waitMs: 200, pollMs: 10 }, async () => 'ran').catch((e: Error) => (error = e));
    expect(error?.message).to.equal(`${lock} is held by process ${process.pid} on ${os.hostname()}: remove it if no hook-rules process uses the folder`);
    expect(existsSync(lock), "another holder's lock is left alone").to.equal(true);
  });
});
