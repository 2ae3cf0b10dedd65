import { expect } from 'chai';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { freePort } from './freePort.js';
import { postgresBin, startPostgres } from './postgres.js';
import { TestRedis } from './redis.js';

/** The helpers that start real servers for the tests: they must start on any machine .ci/run accepts. */
describe('test helpers', function () {
  this.timeout(120_000);

  /** A port another process holds, offered first; then free ones. */
  async function takenFirst(): Promise<{ choosePort: () => Promise<number>; offered: number[]; release(): Promise<void> }> {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as net.AddressInfo).port;
    const offered: number[] = [];
    return {
      offered,
      choosePort: async () => {
        const port = offered.length === 0 ? busy : await freePort();
        offered.push(port);
        return port;
      },
      release: () => new Promise<void>((resolve) => holder.close(() => resolve())),
    };
  }

  it('finds the PostgreSQL server of whichever version is installed, the newest of several', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'pg-versions-'));
    try {
      for (const version of ['13', '16', '9']) {
        await mkdir(path.join(root, version, 'bin'), { recursive: true });
        await writeFile(path.join(root, version, 'bin', 'initdb'), '');
      }
      await mkdir(path.join(root, '17', 'bin'), { recursive: true }); // no server in it
      expect(postgresBin(root)).to.equal(path.join(root, '16', 'bin'));
      expect(() => postgresBin(path.join(root, 'none'))).to.throw(/no PostgreSQL server/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('redis-server: a port taken between the check and the bind is given up for another', async () => {
    const ports = await takenFirst();
    const redis = new TestRedis(ports.choosePort);
    try {
      await redis.start();
      expect(ports.offered).to.have.length(2);
      expect(redis.port).to.equal(ports.offered[1]);
    } finally {
      await redis.remove();
      await ports.release();
    }
  });

  it('PostgreSQL: a port taken between the check and the bind is given up for another', async () => {
    const ports = await takenFirst();
    const db = await startPostgres({ choosePort: ports.choosePort });
    try {
      expect(ports.offered).to.have.length(2);
      expect(db.url).to.include(`:${ports.offered[1]}/`);
      await db.sql('SELECT 1');
    } finally {
      await db.stop();
      await ports.release();
    }
  });

  it('the built CLI the process tests run is the source the in-process tests import (mocha\'s setup rebuilds it)', () => {
    const newest = (dir: string): number =>
      Math.max(...readdirSync(dir, { withFileTypes: true }).map((entry) => (entry.isDirectory() ? newest(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).mtimeMs)));
    expect(statSync(path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js')).mtimeMs).to.be.at.least(newest(path.join(PACKAGE_ROOT, 'src')));
  });
});
