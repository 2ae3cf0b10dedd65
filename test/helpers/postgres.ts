import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.js';

const BIN = '/usr/lib/postgresql/15/bin';

/** A real PostgreSQL server of the tests' own: a temporary cluster on a free loopback port. */
export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication: loopback only). */
  url: string;
  /** Runs SQL as the superuser (to create tables and seed them). */
  sql(text: string): Promise<void>;
  /** SIGSTOP to the server and every backend: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/**
 * initdb + pg_ctl as the `postgres` user (the server refuses to run as root) in a folder of its
 * own, removed by stop(). Needs Debian's postgresql-15 (.ci/run installs it when missing).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  const root = mkdtempSync(path.join(os.tmpdir(), 'hook-rules-pg-'));
  chownSync(root, uid, gid);
  const data = path.join(root, 'data');
  const port = await freePort();
  const asPostgres = { uid, gid, cwd: root, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' } };
  await run(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], asPostgres);
  await run(
    `${BIN}/pg_ctl`,
    ['start', '-w', '-D', data, '-l', path.join(root, 'log'), '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`],
    asPostgres,
  );
  const postmaster = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const everyProcess = () => [postmaster, ...childrenOf(postmaster)];
  return {
    url,
    async sql(text) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    },
    pause: () => everyProcess().forEach((pid) => process.kill(pid, 'SIGSTOP')),
    resume: () => everyProcess().forEach((pid) => process.kill(pid, 'SIGCONT')),
    async stop() {
      everyProcess().forEach((pid) => {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // already gone
        }
      });
      await run(`${BIN}/pg_ctl`, ['stop', '-D', data, '-m', 'immediate', '-w'], asPostgres).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fourth field of /proc/PID/stat is the parent; the name (field 2) may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function run(command: string, args: string[], options: { uid: number; gid: number; cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited with ${code}: ${stderr}`))));
  });
}

