import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TlsFiles {
  dir: string;
  cert: string;
  key: string;
  /** A key of its own, not the certificate's. */
  otherKey: string;
  /** Not PEM at all. */
  garbage: string;
}

/** A self-signed certificate for 127.0.0.1 and keys, made with openssl in a temporary folder; undefined without openssl. */
export function makeTlsFiles(): TlsFiles | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'hook-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const otherKey = path.join(dir, 'other-key.pem');
  const garbage = path.join(dir, 'garbage.pem');
  const run = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });
  const made = run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  if (made.error || made.status !== 0) return undefined;
  const other = run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey]);
  if (other.error || other.status !== 0) return undefined;
  writeFileSync(garbage, 'not a key\n');
  return { dir, cert, key, otherKey, garbage };
}
