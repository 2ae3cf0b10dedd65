import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { STATE_ENV_NAMES, stateConfigFromEnv, type StateConfig } from './counters/stateConfig.js';
import type { OnRuleError } from './engine/evaluate.js';
import type { FactEnvironment } from './facts/compileFact.js';
import { DEFAULT_FACTS_DEADLINE_MS } from './facts/deadline.js';
import { readSecretSources, splitSecretList, type SecretSources } from './server/hookSecrets.js';
import { reloadConfigFromEnv, type ReloadConfig } from './storage/reloadConfig.js';

/** OAuth 2.0 bearer-token check for Okta's OAUTH channel (see middleware/oauth.ts). */
export interface OAuthConfig {
  issuer: string;
  audience: string;
  /** A scope the token must carry (in `scp` or `scope`), or undefined for none. */
  scope?: string;
  /** Where the signing keys are; undefined means: ask the issuer's discovery document. */
  jwksUri?: string;
  /**
   * The clients whose tokens are accepted (the token's `cid`, or `client_id`): Okta's hook
   * client. Undefined (development only) accepts any client of the issuer.
   */
  clientIds?: string[];
}

/** Every setting, read and checked once at start. See the configuration table in README.md. */
export interface Config {
  port: number;
  host: string;
  rulesDir: string;
  /** Header Okta sends the secret in, lowercased (HTTP header names are case-insensitive). */
  authHeader: string;
  /** Accepted header values (several while rotating); empty means no header check. */
  authSecrets: string[];
  /** Set when a secret file is configured: the files are watched and read again (SIGHUP too). */
  authSecretSources?: SecretSources;
  oauth?: OAuthConfig;
  bodyLimit: string;
  onRuleError: OnRuleError;
  logLevel: string;
  /** json: one JSON object a line; pretty: readable lines for a terminal (needs pino-pretty). */
  logFormat: 'json' | 'pretty';
  /** Show emails, names and IP addresses in logs as they are; false masks them. */
  logPii: boolean;
  nodeEnv: string;
  /** Serve the rule authors' preview page at /preview (docs/preview.md). */
  preview: boolean;
  /** Rule reloading: RULES_WATCH, RULES_WATCH_DEBOUNCE_MS, RULES_WATCH_POLL_MS (see src/storage/reloader.ts). */
  reload?: ReloadConfig;
  /** Processes serving the port: 1 is this process alone; more runs node:cluster workers. */
  workers: number;
  tls?: { certFile: string; keyFile: string };
  /** How long to keep answering after readiness turns 503, so load balancers stop sending first. */
  shutdownDelayMs: number;
  /** Upper bound for requests in flight to finish once the listener closes; then the process exits. */
  shutdownTimeoutMs: number;
  /** Counters: STATE_URL (Redis) or memory, key salt and prefix, timeout (src/counters/stateConfig.ts). */
  state: StateConfig;
  /** The longest the facts stage may take for one request (docs/facts.md); pending facts then fail. */
  factsDeadlineMs: number;
  /** Where the token inline hook is served (TOKEN_HOOK_PATH, default /tokenHook). */
  tokenHookPath: string;
  /** OKTA_TOKEN_HOOK_AUTH_SECRET: the token hook's own header secret, when Okta's token hook is configured with one of its own; else the registration hook's secrets apply. */
  tokenAuthSecrets?: string[];
  /** The variables the rules' facts name (database URLs, header secrets), and whether this is production. */
  environment: FactEnvironment;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The smallest BODY_LIMIT accepted. Okta's requests hold a handful of profile attributes, but
 * a profile may have dozens of custom attributes of up to a few hundred characters each: 16kb
 * leaves room for them, and anything lower is a mistake (0kb answered 413 to all).
 */
export const MIN_BODY_LIMIT_BYTES = 16 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The facts stage's deadline when FACTS_DEADLINE_MS is not set. */
export { DEFAULT_FACTS_DEADLINE_MS };

/**
 * Reads every setting and reports every bad one at once (values of secrets are never echoed).
 * This module is the one reader of the process environment: everything else is given what it
 * needs from here.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = Boolean(process.stdout.isTTY)): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV || 'development';
  const production = nodeEnv === 'production';
  const port = integer(env.PORT, 8080, 'PORT', 0, 65535, problems);
  const onRuleError = oneOf(env.ON_RULE_ERROR, 'deny', 'ON_RULE_ERROR', ['deny', 'skip'] as const, problems);
  const logLevel = oneOf(env.LOG_LEVEL, 'info', 'LOG_LEVEL', LOG_LEVELS, problems);
  const logFormat = oneOf(env.LOG_FORMAT, !production && stdoutIsTty ? 'pretty' : 'json', 'LOG_FORMAT', ['json', 'pretty'] as const, problems);
  const logPii = boolean(env.LOG_PII, false, 'LOG_PII', problems);
  const bodyLimit = env.BODY_LIMIT || '100kb';
  const bodyBytes = sizeInBytes(bodyLimit);
  if (bodyBytes === undefined) problems.push(`BODY_LIMIT: "${bodyLimit}" is not a size such as 100kb`);
  else if (bodyBytes < MIN_BODY_LIMIT_BYTES) {
    problems.push(`BODY_LIMIT: "${bodyLimit}" is below 16kb, too small for Okta's requests (every sign-up would get 413 and be denied)`);
  }
  const authHeader = (env.OKTA_HOOK_AUTH_HEADER || 'authorization').trim().toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(authHeader)) problems.push(`OKTA_HOOK_AUTH_HEADER: "${authHeader}" is not an HTTP header name`);
  const { secrets: authSecrets, sources: authSecretSources } = readSecrets(env, problems);
  const oauth = readOAuth(env, production, problems);
  if (production && authSecrets.length === 0 && !oauth) {
    problems.push(
      'NODE_ENV=production needs hook authentication: set OKTA_HOOK_AUTH_SECRET (or _FILE, or OKTA_HOOK_AUTH_SECRETS) or OKTA_HOOK_OAUTH_ISSUER with OKTA_HOOK_OAUTH_AUDIENCE and OKTA_HOOK_OAUTH_CLIENT_IDS',
    );
  }
  const workers = readWorkers(env.WORKERS, problems);
  const tls = readTls(env, problems);
  const shutdownDelayMs = integer(env.SHUTDOWN_DELAY_MS, 0, 'SHUTDOWN_DELAY_MS', 0, 120_000, problems);
  const shutdownTimeoutMs = integer(env.SHUTDOWN_TIMEOUT_MS, 10_000, 'SHUTDOWN_TIMEOUT_MS', 100, 300_000, problems);
  const factsDeadlineMs = readFactsDeadline(env, problems);
  const preview = ['1', 'true'].includes(oneOf(env.PREVIEW, '0', 'PREVIEW', ['0', '1', 'false', 'true'] as const, problems));
  // In production the preview explains rules to whoever asks, so it must sit behind the hook's own check.
  if (preview && production && authSecrets.length === 0 && !oauth) {
    problems.push('PREVIEW: in production the preview page needs hook authentication (OKTA_HOOK_AUTH_SECRET or its variants, or OKTA_HOOK_OAUTH_ISSUER)');
  }
  const tokenHookPath = readTokenHookPath(env.TOKEN_HOOK_PATH, problems);
  const tokenSecret = env.OKTA_TOKEN_HOOK_AUTH_SECRET;
  if (tokenSecret !== undefined && /[\r\n\0]/.test(tokenSecret)) problems.push('OKTA_TOKEN_HOOK_AUTH_SECRET: contains a line break or NUL, which no HTTP header can carry');
  const reload = reloadConfigFromEnv(env, problems);
  const state = stateConfigFromEnv(env, production, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    rulesDir: env.RULES_DIR || './rules',
    authHeader,
    authSecrets,
    tokenHookPath,
    ...(tokenSecret ? { tokenAuthSecrets: [tokenSecret] } : {}),
    ...(authSecretSources ? { authSecretSources } : {}),
    ...(oauth ? { oauth } : {}),
    bodyLimit,
    onRuleError,
    logLevel,
    logFormat,
    logPii,
    nodeEnv,
    workers,
    ...(tls ? { tls } : {}),
    shutdownDelayMs,
    shutdownTimeoutMs,
    factsDeadlineMs,
    preview,
    reload,
    state,
    environment: { env, production, deadlineMs: factsDeadlineMs },
  };
}

/**
 * The variables the rules' facts may name, whether this is production (NODE_ENV), and
 * FACTS_DEADLINE_MS (no fact's timeout may exceed it), for commands that load rules as the
 * service would. A bad FACTS_DEADLINE_MS is added to `problems` and the default used.
 */
export function factEnvironment(env: NodeJS.ProcessEnv = process.env, problems: string[] = []): FactEnvironment {
  return { env, production: env.NODE_ENV === 'production', deadlineMs: readFactsDeadline(env, problems) };
}

/**
 * What a command that fetches facts as the service would (eval, test --live) reads of the
 * service's settings: the environment and FACTS_DEADLINE_MS. Problems are added to `problems`.
 */
export function factSettings(problems: string[], env: NodeJS.ProcessEnv = process.env): { environment: FactEnvironment; deadlineMs: number } {
  const deadlineMs = readFactsDeadline(env, problems);
  return { environment: { env, production: env.NODE_ENV === 'production', deadlineMs }, deadlineMs };
}

/** The counter store's settings as the service reads them (STATE_URL…), for commands; problems are added to `problems`. */
export function stateSettings(problems: string[], env: NodeJS.ProcessEnv = process.env): StateConfig {
  return stateConfigFromEnv(env, env.NODE_ENV === 'production', problems);
}

function readFactsDeadline(env: NodeJS.ProcessEnv, problems: string[]): number {
  // Okta waits 3 s: a longer deadline would only let Okta give up first.
  return integer(env.FACTS_DEADLINE_MS, DEFAULT_FACTS_DEADLINE_MS, 'FACTS_DEADLINE_MS', 1, 2900, problems);
}

/**
 * Header secrets from OKTA_HOOK_AUTH_SECRET, OKTA_HOOK_AUTH_SECRET_FILE (one secret: the whole
 * file less its final newline), OKTA_HOOK_AUTH_SECRETS (comma or newline separated) and
 * OKTA_HOOK_AUTH_SECRETS_FILE (one a line). All of them are accepted: that is how a secret rotates.
 * The files are read again when they change (server/secretsReloader.ts).
 */
function readSecrets(env: NodeJS.ProcessEnv, problems: string[]): { secrets: string[]; sources?: SecretSources } {
  const sources: SecretSources = {
    ...(env.OKTA_HOOK_AUTH_SECRET ? { secret: env.OKTA_HOOK_AUTH_SECRET } : {}),
    secrets: env.OKTA_HOOK_AUTH_SECRETS ? splitSecretList(env.OKTA_HOOK_AUTH_SECRETS, /[,\n]/) : [],
    ...(env.OKTA_HOOK_AUTH_SECRET_FILE ? { secretFile: env.OKTA_HOOK_AUTH_SECRET_FILE } : {}),
    ...(env.OKTA_HOOK_AUTH_SECRETS_FILE ? { secretsFile: env.OKTA_HOOK_AUTH_SECRETS_FILE } : {}),
  };
  const secrets = readSecretSources(sources, problems);
  return sources.secretFile || sources.secretsFile ? { secrets, sources } : { secrets };
}

function readOAuth(env: NodeJS.ProcessEnv, production: boolean, problems: string[]): OAuthConfig | undefined {
  const issuer = env.OKTA_HOOK_OAUTH_ISSUER?.trim();
  const audience = env.OKTA_HOOK_OAUTH_AUDIENCE?.trim();
  const scope = env.OKTA_HOOK_OAUTH_SCOPE?.trim();
  const jwksUri = env.OKTA_HOOK_OAUTH_JWKS_URI?.trim();
  const clientIds = env.OKTA_HOOK_OAUTH_CLIENT_IDS?.split(',').map((id) => id.trim()).filter(Boolean);
  if (!issuer) {
    for (const [name, value] of [['OKTA_HOOK_OAUTH_AUDIENCE', audience], ['OKTA_HOOK_OAUTH_SCOPE', scope], ['OKTA_HOOK_OAUTH_JWKS_URI', jwksUri], ['OKTA_HOOK_OAUTH_CLIENT_IDS', env.OKTA_HOOK_OAUTH_CLIENT_IDS?.trim()]]) {
      if (value) problems.push(`${name}: set, but OKTA_HOOK_OAUTH_ISSUER is not`);
    }
    return undefined;
  }
  url(issuer, 'OKTA_HOOK_OAUTH_ISSUER', production, problems);
  if (!audience) problems.push('OKTA_HOOK_OAUTH_AUDIENCE: required with OKTA_HOOK_OAUTH_ISSUER (the token\'s aud, e.g. api://default)');
  if (jwksUri) url(jwksUri, 'OKTA_HOOK_OAUTH_JWKS_URI', production, problems);
  if (scope && /\s/.test(scope)) problems.push(`OKTA_HOOK_OAUTH_SCOPE: "${scope}" must be one scope, without spaces`);
  // Every app signed in through the same authorization server holds tokens with its issuer and
  // audience: only the client id says the token is the hook client's.
  if (production && !clientIds?.length) {
    problems.push(
      'OKTA_HOOK_OAUTH_CLIENT_IDS: required in production with OKTA_HOOK_OAUTH_ISSUER: the client id of the app Okta uses to call the hook (its tokens\' cid), so that tokens the issuer gave any other app are refused',
    );
  }
  return { issuer, audience: audience ?? '', ...(scope ? { scope } : {}), ...(jwksUri ? { jwksUri } : {}), ...(clientIds?.length ? { clientIds } : {}) };
}

function readWorkers(raw: string | undefined, problems: string[]): number {
  if (raw === 'auto') return availableParallelism();
  return integer(raw, 1, 'WORKERS', 1, 256, problems, ' (or auto)');
}

function readTls(env: NodeJS.ProcessEnv, problems: string[]): Config['tls'] {
  const certFile = env.TLS_CERT_FILE;
  const keyFile = env.TLS_KEY_FILE;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
    return undefined;
  }
  readable(certFile, 'TLS_CERT_FILE', problems);
  readable(keyFile, 'TLS_KEY_FILE', problems);
  return { certFile, keyFile };
}

/** "100kb" → 102400, as the body parser reads it (1 kb = 1024 bytes); undefined if not a size. */
function sizeInBytes(raw: string): number | undefined {
  const match = /^(\d+)(b|kb|mb)$/i.exec(raw);
  if (!match) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}


function readable(path: string, name: string, problems: string[]): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    problems.push(`${name}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function url(raw: string, name: string, production: boolean, problems: string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    problems.push(`${name}: "${raw}" is not a URL`);
    return;
  }
  const allowed = production ? ['https:'] : ['https:', 'http:'];
  if (!allowed.includes(parsed.protocol)) problems.push(`${name}: "${raw}" must be an ${production ? 'https' : 'http(s)'} URL`);
}

function integer(raw: string | undefined, fallback: number, name: string, min: number, max: number, problems: string[], extra = ''): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}: "${raw}" is not a whole number from ${min} to ${max}${extra}`);
    return fallback;
  }
  return value;
}

function boolean(raw: string | undefined, fallback: boolean, name: string, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  problems.push(`${name}: "${raw}" must be true or false`);
  return fallback;
}

function oneOf<T extends string>(raw: string | undefined, fallback: T, name: string, allowed: readonly T[], problems: string[]): T {
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name}: "${raw}" must be one of ${allowed.join(', ')}`);
  return fallback;
}

/** Every environment variable loadConfig reads: the README table and deploy/ manifests are checked against it. */
export const CONFIG_ENV_NAMES = [
  'PORT',
  'HOST',
  'RULES_DIR',
  'OKTA_HOOK_AUTH_HEADER',
  'OKTA_HOOK_AUTH_SECRET',
  'OKTA_HOOK_AUTH_SECRET_FILE',
  'OKTA_HOOK_AUTH_SECRETS',
  'OKTA_HOOK_AUTH_SECRETS_FILE',
  'OKTA_HOOK_OAUTH_ISSUER',
  'OKTA_HOOK_OAUTH_AUDIENCE',
  'OKTA_HOOK_OAUTH_SCOPE',
  'OKTA_HOOK_OAUTH_JWKS_URI',
  'OKTA_HOOK_OAUTH_CLIENT_IDS',
  'RULES_WATCH',
  'RULES_WATCH_DEBOUNCE_MS',
  'RULES_WATCH_POLL_MS',
  'RULES_RELOAD_REQUIRE_TESTS',
  'PREVIEW',
  'BODY_LIMIT',
  'ON_RULE_ERROR',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'LOG_PII',
  'NODE_ENV',
  'WORKERS',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
  'SHUTDOWN_DELAY_MS',
  'SHUTDOWN_TIMEOUT_MS',
  ...STATE_ENV_NAMES,
  'FACTS_DEADLINE_MS',
  'TOKEN_HOOK_PATH',
  'OKTA_TOKEN_HOOK_AUTH_SECRET',
] as const;

/** The registration hook's path, which the token hook's cannot take. */
const REGISTRATION_HOOK_PATH = '/registrationHook';

function readTokenHookPath(raw: string | undefined, problems: string[]): string {
  const value = raw?.trim() || '/tokenHook';
  if (!/^\/[A-Za-z0-9._~\/-]*$/.test(value)) problems.push(`TOKEN_HOOK_PATH: "${value}" must be a path such as /tokenHook`);
  else if (value === REGISTRATION_HOOK_PATH || ['/healthz', '/readyz', '/metrics', '/preview'].includes(value)) problems.push(`TOKEN_HOOK_PATH: "${value}" is already a route of this service`);
  return value;
}
