import type { FactEnvironment } from '../facts/compileFact.js';
import type { Logger } from '../observability/log.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { loadHookRuleset } from '../hooks/loadHookRuleset.js';
import { formatRuleError, type RuleError } from '../language/RuleError.js';
import { suiteFailures } from '../suites/suiteGate.js';
import { watchRules, type RulesWatcher } from './watchRules.js';
import type { ReloadConfig } from './reloadConfig.js';
import { logRuleWarnings } from './ruleWarnings.js';
import { reloadFailureSummary } from './reloadFailureSummary.js';
import type { RulesetStore } from '../ruleset/RulesetStore.js';

export type ReloadOutcome =
  | { status: 'swapped'; version: string; previousVersion: string }
  /** `cleared`: the files are back to the live version after a rejected edit, whose errors are gone now. */
  | { status: 'unchanged'; version: string; cleared?: boolean }
  | { status: 'rejected'; errors: RuleError[]; keptVersion: string };

export interface Reloader {
  /** Loads the whole ruleset again and swaps it in if it is valid and new. Reloads never overlap. */
  reload(reason: string): Promise<ReloadOutcome>;
  /** Settles once file watching (if on) is in place. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Reload orchestration: a trigger (file change, SIGHUP, a call) loads, validates and compiles
 * the whole ruleset, then the store swaps it in at once, so a request is decided wholly by
 * the old or wholly by the new version. A bad ruleset never goes live: the store keeps the
 * last good one and each error is logged as file:line:column.
 */
export function startReloader(
  options: {
    dir: string;
    store: RulesetStore;
    logger: Logger;
    /** How fact checks judge the files (the facts deadline, production). */
    environment: FactEnvironment;
    /**
     * What this process cannot serve as it is configured, though the files are valid (counters
     * in memory with several workers in production, SQL a fact's database refuses): errors that
     * refuse the reload as they would refuse a start with the same rules.
     */
    refuse?: (next: CompiledRuleset) => RuleError[] | Promise<RuleError[]>;
  } & ReloadConfig,
): Reloader {
  const { dir, store, logger } = options;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<ReloadOutcome> | undefined;

  const reject = (reason: string, errors: RuleError[], keptVersion: string, why: string): ReloadOutcome => {
    store.reject(errors, reason);
    for (const error of errors) logger.error({ event: 'rules-reload-error', at: formatRuleError(error) }, formatRuleError(error));
    const failure = reloadFailureSummary(store.lastFailure()!, dir);
    logger.warn(
      { event: 'rules-reload-rejected', reason, errors: errors.length, files: failure.files, firstErrors: failure.firstErrors, rulesetVersion: keptVersion },
      `rules reload rejected (${why}); still serving ${keptVersion}`,
    );
    return { status: 'rejected', errors, keptVersion };
  };

  const run = async (reason: string): Promise<ReloadOutcome> => {
    const live = store.current();
    const loaded = await loadHookRuleset(dir, { environment: options.environment });
    if (!loaded.ok) return reject(reason, loaded.errors, live.version, `${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}`);
    const next = loaded.ruleset;
    if (next.version === live.version) {
      // Same content. Swapping only clears the errors a bad edit left, now that it is undone.
      if (store.loadErrors().length > 0) {
        store.swap(next, reason);
        logger.info({ event: 'rules-reload-unchanged', reason, rulesetVersion: live.version }, `rules valid again; still serving ${live.version}`);
        return { status: 'unchanged', version: live.version, cleared: true };
      }
      logger.debug({ event: 'rules-reload-unchanged', reason, rulesetVersion: live.version }, 'rules unchanged');
      return { status: 'unchanged', version: live.version };
    }
    const refused = (await options.refuse?.(next)) ?? [];
    if (refused.length > 0) return reject(reason, refused, live.version, `${refused.length} error${refused.length === 1 ? '' : 's'}`);
    if (options.requireTests) {
      const failures = await suiteFailures(dir, next);
      if (failures.length > 0) return reject(reason, failures, live.version, `${failures.length} rule test${failures.length === 1 ? '' : 's'} failed with it`);
    }
    store.swap(next, reason);
    logRuleWarnings(logger, loaded.warnings);
    logger.info(
      { event: 'rules-reloaded', reason, rulesetVersion: next.version, previousVersion: live.version, rules: next.rules.length, files: next.files.length },
      `rules reloaded: now serving ${next.version}`,
    );
    return { status: 'swapped', version: next.version, previousVersion: live.version };
  };

  const reload = (reason: string): Promise<ReloadOutcome> => {
    if (queued) return queued; // one waiting reload covers every trigger that came meanwhile
    const next = chain.then(() => {
      queued = undefined;
      return run(reason);
    });
    queued = next;
    chain = next.catch((error: unknown) => logger.error({ err: error }, 'rules reload failed'));
    return next;
  };

  let watcher: RulesWatcher | undefined;
  if (options.watch) {
    watcher = watchRules(dir, {
      debounceMs: options.debounceMs,
      pollMs: options.pollMs,
      onChange: (why) => {
        if (!closed) void reload(`change: ${why}`).catch(() => undefined);
      },
      onError: (error) => logger.warn({ err: error.message }, 'rules watcher'),
    });
    // Said once the folders are watched (watchRules sets them up asynchronously): an edit
    // made after this line is seen. Logged before, an edit right after it could be missed.
    void watcher.ready.then(
      () => {
        if (!closed) logger.info({ rulesDir: dir, debounceMs: options.debounceMs, pollMs: options.pollMs }, 'watching rules for changes');
      },
      () => undefined, // watchRules reports its own errors through onError
    );
  }
  const onSignal = () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading rules');
    void reload('SIGHUP').catch(() => undefined);
  };
  if (options.sighup) process.on('SIGHUP', onSignal);

  return {
    reload,
    ready: watcher?.ready ?? Promise.resolve(),
    async close() {
      closed = true;
      watcher?.close();
      process.off('SIGHUP', onSignal);
      await chain;
    },
  };
}
