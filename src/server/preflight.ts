import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Config } from '../config.js';

/** A name that does not resolve in this long is reported as such. */
const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * What can be checked before listening, beyond loadConfig's checks of the values themselves:
 * the TLS certificate and key load and belong together, and HOST resolves. Returns the
 * problems in plain words (none: good to listen).
 */
export async function checkBeforeListening(config: Pick<Config, 'host' | 'tls'>): Promise<string[]> {
  const problems = config.tls ? checkTls(config.tls) : [];
  const host = await checkHost(config.host);
  return host ? [...problems, host] : problems;
}

export function checkTls(tls: NonNullable<Config['tls']>): string[] {
  const cert = readPem(tls.certFile, 'TLS_CERT_FILE');
  const key = readPem(tls.keyFile, 'TLS_KEY_FILE');
  const problems = [cert, key].flatMap((read) => ('problem' in read ? [read.problem] : []));
  let certificate: X509Certificate | undefined;
  let privateKey: KeyObject | undefined;
  if ('text' in cert) {
    try {
      certificate = new X509Certificate(cert.text);
    } catch {
      problems.push(`TLS_CERT_FILE: "${tls.certFile}" holds no PEM certificate`);
    }
  }
  if ('text' in key) {
    try {
      privateKey = createPrivateKey(key.text);
    } catch {
      problems.push(`TLS_KEY_FILE: "${tls.keyFile}" holds no PEM private key (or an encrypted one, which is not supported)`);
    }
  }
  if (!certificate || !privateKey || !('text' in cert) || !('text' in key)) return problems;
  if (!certificate.checkPrivateKey(privateKey)) {
    problems.push(`TLS_KEY_FILE: the key in "${tls.keyFile}" does not belong to the certificate in "${tls.certFile}"`);
    return problems;
  }
  try {
    createSecureContext({ cert: cert.text, key: key.text }); // what https.createServer will do
  } catch (error) {
    problems.push(`TLS_CERT_FILE/TLS_KEY_FILE: not usable for TLS (${(error as Error).message})`);
  }
  return problems;
}

function readPem(path: string, name: string): { text: string } | { problem: string } {
  try {
    if (statSync(path).isDirectory()) return { problem: `${name}: "${path}" is a folder, not a PEM file` };
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    return { problem: `${name}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

async function checkHost(host: string): Promise<string | undefined> {
  if (isIP(host) !== 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no answer'), LOOKUP_TIMEOUT_MS)));
  const looked = lookup(host).then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code ?? 'error',
  );
  const failure = await Promise.race([looked, timeout]);
  clearTimeout(timer);
  return failure === undefined ? undefined : `HOST: "${host}" does not resolve to an address (${failure})`;
}

/** A failed listen, in plain words naming the setting to change. */
export function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `PORT: port ${port} is already in use by another process (HOST ${host})`;
    case 'EACCES':
      return `PORT: no permission to listen on ${where} (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `HOST: "${host}" is not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST: "${host}" does not resolve to an address (${error.code})`;
    default:
      return `cannot listen on ${where}: ${error.code ?? error.message}`;
  }
}
