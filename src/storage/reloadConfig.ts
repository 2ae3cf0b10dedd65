/** How the rules reload (see "Reloading rules" in docs/rules.md). */
export interface ReloadConfig {
  /** Watch RULES_DIR and reload on change (RULES_WATCH=1; `npm run dev` sets it). */
  watch: boolean;
  /** RULES_WATCH_DEBOUNCE_MS, default 200. */
  debounceMs: number;
  /** RULES_WATCH_POLL_MS, default 0 (off): also poll the files, for mounts without file events. */
  pollMs: number;
  /** Reload on SIGHUP, in any mode (default true for the service). */
  sighup: boolean;
  /** RULES_RELOAD_REQUIRE_TESTS=1: a reload goes live only if the rule tests beside the rules pass with it. */
  requireTests?: boolean;
}

export const DEFAULT_RELOAD: ReloadConfig = { watch: false, debounceMs: 200, pollMs: 0, sighup: true, requireTests: false };

/** Reads RULES_WATCH, RULES_WATCH_DEBOUNCE_MS, RULES_WATCH_POLL_MS and RULES_RELOAD_REQUIRE_TESTS; problems are added to `problems`. */
export function reloadConfigFromEnv(env: NodeJS.ProcessEnv, problems: string[]): ReloadConfig {
  const boolean = (name: string): boolean => {
    const flag = (env[name] ?? '').trim().toLowerCase();
    if (!['', '0', '1', 'true', 'false', 'yes', 'no'].includes(flag)) problems.push(`${name}: "${env[name]}" must be 1 or 0`);
    return ['1', 'true', 'yes'].includes(flag);
  };
  const ms = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > 3_600_000) {
      problems.push(`${name}: "${raw}" is not a whole number of milliseconds from ${min} to 3600000`);
      return fallback;
    }
    return value;
  };
  return {
    watch: boolean('RULES_WATCH'),
    debounceMs: ms('RULES_WATCH_DEBOUNCE_MS', DEFAULT_RELOAD.debounceMs, 0),
    pollMs: ms('RULES_WATCH_POLL_MS', DEFAULT_RELOAD.pollMs, 0),
    sighup: true,
    requireTests: boolean('RULES_RELOAD_REQUIRE_TESTS'),
  };
}
