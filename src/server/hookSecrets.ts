import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Secrets are compared as SHA-256 digests, so neither their length nor content shapes the timing. */
export function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Where the header secrets come from: values given in the environment, and files read again on change. */
export interface SecretSources {
  /** OKTA_HOOK_AUTH_SECRET: fixed for the life of the process, as is `secrets`. */
  secret?: string;
  /** OKTA_HOOK_AUTH_SECRET_FILE: one secret, the whole file less its final newline. */
  secretFile?: string;
  /** OKTA_HOOK_AUTH_SECRETS, split. */
  secrets: string[];
  /** OKTA_HOOK_AUTH_SECRETS_FILE: one secret a line. */
  secretsFile?: string;
}

/**
 * Reads every source into one list of distinct secrets; problems (never a secret's value) are
 * added to `problems`. Used at start (config.ts) and on every reload (secretsReloader.ts), so
 * both read the files the same way.
 */
export function readSecretSources(sources: SecretSources, problems: string[]): string[] {
  const secrets: string[] = sources.secret !== undefined ? [sources.secret] : [];
  const single = readFile(sources.secretFile, 'OKTA_HOOK_AUTH_SECRET_FILE', problems);
  if (single !== undefined) {
    const value = single.replace(/\r?\n$/, '');
    if (value === '') problems.push('OKTA_HOOK_AUTH_SECRET_FILE: the file is empty');
    else secrets.push(value);
  }
  secrets.push(...sources.secrets);
  const many = readFile(sources.secretsFile, 'OKTA_HOOK_AUTH_SECRETS_FILE', problems);
  if (many !== undefined) {
    const values = splitSecretList(many, /\n/);
    if (values.length === 0) problems.push('OKTA_HOOK_AUTH_SECRETS_FILE: the file holds no secret');
    secrets.push(...values);
  }
  for (const [index, secret] of secrets.entries()) {
    if (/[\r\n\0]/.test(secret)) problems.push(`hook secret #${index + 1}: contains a line break or NUL, which no HTTP header can carry`);
  }
  return [...new Set(secrets)];
}

export function splitSecretList(raw: string, separator: RegExp): string[] {
  return raw
    .split(separator)
    .map((part) => part.replace(/\r$/, '').trim())
    .filter((part) => part !== '');
}

function readFile(path: string | undefined, name: string, problems: string[]): string | undefined {
  if (!path) return undefined;
  try {
    // Read by path each time: a Kubernetes Secret's `..data` symlink is resolved anew.
    return readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${name}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/**
 * The header secrets the hook accepts now, kept as digests. A reload replaces the whole array
 * in one assignment, so a request is checked against the old set or the new one, never a mix.
 */
export class HookSecrets {
  private current: readonly Buffer[];
  private key: string;

  constructor(secrets: readonly string[]) {
    this.current = secrets.map(digest);
    this.key = keyOf(this.current);
  }

  digests(): readonly Buffer[] {
    return this.current;
  }

  get count(): number {
    return this.current.length;
  }

  /** Swaps in a new set; false (and nothing changed) when it holds the same secrets. */
  replace(secrets: readonly string[]): boolean {
    const next = [...new Set(secrets)].map(digest);
    const key = keyOf(next);
    if (key === this.key) return false;
    this.current = next;
    this.key = key;
    return true;
  }
}

/** The set's identity, order aside: sorted digests (of digests, so no secret is ever kept as text). */
function keyOf(digests: readonly Buffer[]): string {
  return digests
    .map((d) => d.toString('hex'))
    .sort()
    .join(',');
}
