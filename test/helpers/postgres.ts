import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.js';

/** Debian's PostgreSQL server programs, of whichever version is installed (the newest when several are). */
export function postgresBin(root = '/usr/lib/postgresql'): string {
  const versions = (existsSync(root) ? readdirSync(root) : [])
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server in ${root}/<version>/bin (Debian's postgresql package; .ci/run installs it)`);
  return path.join(root, versions[0]!, 'bin');
}

/** Tries this many ports: another process can take a free port before the server binds it. */
const PORT_ATTEMPTS = 5;

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
 * own, removed by stop(). Needs Debian's postgresql, any version (.ci/run installs it when
 * missing). A port taken between the check and the bind is given up for another.
 */
export async function startPostgres(options: { choosePort?: () => Promise<number> } = {}): Promise<PostgresServer> {
  const BIN = postgresBin();
  const choosePort = options.choosePort ?? freePort;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  const root = mkdtempSync(path.join(os.tmpdir(), 'hook-rules-pg-'));
  chownSync(root, uid, gid);
  const data = path.join(root, 'data');
  const asPostgres = { uid, gid, cwd: root, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' } };
  await run(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], asPostgres);
  const log = path.join(root, 'log');
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await choosePort();
    const started = await run(
      `${BIN}/pg_ctl`,
      ['start', '-w', '-D', data, '-l', log, '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`],
      asPostgres,
    ).then(() => undefined, (error: Error) => error);
    if (!started) break;
    const taken = /could not bind|already in use/i.test(existsSync(log) ? readFileSync(log, 'utf8') : '');
    if (!taken || attempt === PORT_ATTEMPTS) throw started;
  }
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

