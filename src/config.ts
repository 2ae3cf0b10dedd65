import type { OnRuleError } from './engine/evaluate.js';
import { reloadConfigFromEnv, type ReloadConfig } from './server/reloadConfig.js';

/** Every setting, read and checked once at start. See the configuration table in README.md. */
export interface Config {
  port: number;
  host: string;
  rulesDir: string;
  /** Header Okta sends the secret in, lowercased (HTTP header names are case-insensitive). */
  authHeader: string;
  /** Accepted header values; empty means the endpoint is open (logged loudly). */
  authSecrets: string[];
  bodyLimit: string;
  onRuleError: OnRuleError;
  logLevel: string;
  nodeEnv: string;
  /** Serve the rule authors' preview page at /preview (docs/preview.md). */
  preview: boolean;
  /** Rule reloading: RULES_WATCH, RULES_WATCH_DEBOUNCE_MS, RULES_WATCH_POLL_MS (see src/server/reloader.ts). */
  reload?: ReloadConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const port = integer(env.PORT, 8080, 'PORT', 0, 65535, problems);
  const onRuleError = oneOf(env.ON_RULE_ERROR, 'deny', 'ON_RULE_ERROR', ['deny', 'skip'] as const, problems);
  const logLevel = oneOf(env.LOG_LEVEL, 'info', 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, problems);
  const bodyLimit = env.BODY_LIMIT ?? '100kb';
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) problems.push(`BODY_LIMIT: "${bodyLimit}" is not a size such as 100kb`);
  const authHeader = (env.OKTA_HOOK_AUTH_HEADER ?? 'authorization').trim().toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(authHeader)) problems.push(`OKTA_HOOK_AUTH_HEADER: "${authHeader}" is not an HTTP header name`);
  const secret = env.OKTA_HOOK_AUTH_SECRET;
  const preview = ['1', 'true'].includes(oneOf(env.PREVIEW, '0', 'PREVIEW', ['0', '1', 'false', 'true'] as const, problems));
  // In production the preview explains rules to whoever asks, so it must sit behind the hook secret.
  if (preview && env.NODE_ENV === 'production' && !secret) problems.push('PREVIEW: in production the preview page needs OKTA_HOOK_AUTH_SECRET');
  const reload = reloadConfigFromEnv(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    rulesDir: env.RULES_DIR ?? './rules',
    authHeader,
    authSecrets: secret ? [secret] : [],
    bodyLimit,
    onRuleError,
    logLevel,
    nodeEnv: env.NODE_ENV ?? 'development',
    preview,
    reload,
  };
}

function integer(raw: string | undefined, fallback: number, name: string, min: number, max: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}: "${raw}" is not a whole number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

function oneOf<T extends string>(raw: string | undefined, fallback: T, name: string, allowed: readonly T[], problems: string[]): T {
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name}: "${raw}" must be one of ${allowed.join(', ')}`);
  return fallback;
}
