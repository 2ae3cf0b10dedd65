import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { openCounterRuntime } from '../counters/counterRuntime.js';
import { stateConfigFromEnv } from '../counters/stateConfig.js';
import { FactMetrics } from '../facts/factMetrics.js';
import { FactSources } from '../facts/FactSources.js';
import { checkFactSql } from '../facts/prepareCheck.js';
import type { Logger } from '../observability/log.js';
import { loadHookRuleset } from '../hooks/loadHookRuleset.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { RulesetLoadError } from '../language/RuleError.js';
import type { StateConfig } from '../counters/stateConfig.js';
import { logRuleWarnings } from '../storage/ruleWarnings.js';
import { createApp } from './app.js';
import { MAX_QUIET_WAIT_MS, QUIET_MS, waitForQuiet } from './drain.js';
import { DEFAULT_RELOAD } from '../storage/reloadConfig.js';
import { checkTls, describeListenError } from './preflight.js';
import { StartError } from './StartError.js';
import { startReloader, type Reloader } from '../storage/reloader.js';
import { clusterMetricsSource } from '../observability/clusterMetrics.js';
import { FROM_PRIMARY } from './clusterReload.js';
import { perWorkerCounterErrors } from '../counters/workerCounters.js';
import { Metrics } from '../observability/metrics.js';
import { HookSecrets } from './hookSecrets.js';
import { DEFAULT_TOKEN_HOOK_PATH, HOOK_PATH } from './routes/hook.js';
import { TIMEOUT_OPTIONS, watchTimeouts } from './requestTimeouts.js';
import { startSecretsReloader, type SecretsReloader } from './secretsReloader.js';
import { RulesetStore } from '../ruleset/RulesetStore.js';

export interface RunningServer {
  server: http.Server;
  store: RulesetStore;
  /** Reloads the rules on demand, on SIGHUP, and on file changes when RULES_WATCH is on. */
  reloader: Reloader;
  /** Set when a secret file is configured: reads the files again on change and on SIGHUP. */
  secretsReloader?: SecretsReloader;
  metrics: Metrics;
  /** Databases and breakers of the rules' facts; closed by close() and shutdown(). */
  facts: FactSources;
  url: string;
  /** Stops at once: no delay, idle connections closed, resolves when the last request ends. */
  close(): Promise<void>;
  /**
   * Graceful stop: readiness turns 503; the listener keeps accepting for `shutdownDelayMs` and
   * until no connection has arrived for a short quiet period (drain.ts), then closes; requests
   * in flight finish and keep-alive connections close as they go idle; whatever is left when
   * `shutdownDelayMs + shutdownTimeoutMs` have passed is cut. Resolves with the number cut.
   */
  shutdown(): Promise<{ cut: number }>;
}

export type ServerConfig = Pick<
  Config,
  'port' | 'host' | 'rulesDir' | 'authHeader' | 'authSecrets' | 'bodyLimit' | 'onRuleError' | 'shutdownDelayMs' | 'shutdownTimeoutMs' | 'factsDeadlineMs' | 'environment'
> &
  Partial<Pick<Config, 'oauth' | 'tls' | 'preview' | 'reload' | 'authSecretSources' | 'state' | 'workers' | 'tokenHookPath' | 'tokenAuthSecrets'>>;

/**
 * Loads the rules (refusing to start on an invalid ruleset), then listens (HTTPS with
 * TLS_CERT_FILE/TLS_KEY_FILE). A failed listen rejects with a StartError in plain words.
 */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  // Facts are checked against the deadline this server answers by (config.environment.deadlineMs), at start and on every reload.
  const { environment } = config;
  const loaded = await loadHookRuleset(config.rulesDir, { environment });
  if (!loaded.ok) throw new RulesetLoadError(loaded.errors);
  const store = new RulesetStore(loaded.ruleset);
  logger.info(
    { rulesetVersion: loaded.ruleset.version, rules: loaded.ruleset.rules.length, files: loaded.ruleset.files.length, rulesDir: config.rulesDir },
    'rules loaded',
  );
  logRuleWarnings(logger, loaded.warnings);
  // The token route takes its own secret when one is set, else the registration hook's.
  const open = config.oauth ? [] : [...(config.authSecrets.length === 0 ? [HOOK_PATH] : []), ...((config.tokenAuthSecrets ?? config.authSecrets).length === 0 ? [config.tokenHookPath ?? DEFAULT_TOKEN_HOOK_PATH] : [])];
  if (open.length > 0) {
    logger.warn(
      `HOOK ENDPOINT IS OPEN: no OKTA_HOOK_AUTH_SECRET and no OKTA_HOOK_OAUTH_ISSUER is set, so anyone who can reach ${open.join(' and ')} gets answers. Set the secret to the value Okta sends in the "${config.authHeader}" header.`,
    );
  }
  if (config.oauth && !config.oauth.clientIds) {
    logger.warn('OKTA_HOOK_OAUTH_CLIENT_IDS is not set: a token the issuer gave any of its apps is accepted (refused in production). Set it to the client id of the app Okta calls the hook with');
  }
  const metrics = new Metrics();
  // With workers, the primary counts the reloads it asks for, once for all of them.
  metrics.watch(store, cluster.isWorker ? { countsReload: (reason) => reason !== FROM_PRIMARY } : {});
  if (cluster.isWorker) metrics.useSource(clusterMetricsSource(metrics.registry));
  const state = config.state ?? stateConfigFromEnv({}, false, []);
  const counters = await openCounterRuntime(state, { logger, registry: metrics.registry });
  warnAboutCounters(store.current(), state, config.workers ?? 1, logger);
  // Give Redis a moment to connect, so counting starts with the first request; a Redis that
  // is down does not stop the start (counters follow their onError until it is back).
  if (store.current().counters.size > 0 && !(await counters.connected(2_000))) logger.warn({ store: 'redis' }, 'counter store not reachable at start; serving anyway');
  store.on('swapped', (next, previous) => previous.counters.size === 0 && warnAboutCounters(next, state, config.workers ?? 1, logger));

  const facts = new FactSources({
    env: environment.env,
    deadlineMs: config.factsDeadlineMs,
    logger,
    metrics: new FactMetrics(metrics.registry),
  });
  // Databases open before the first request; one that is down is logged and does not stop the start.
  await facts.prepare(loaded.ruleset);
  // SQL a database refuses (a misspelt column) stops the start, as validate does.
  const refusedSql = await checkFactSql(loaded.ruleset, facts, logger);
  if (refusedSql.length > 0) {
    await Promise.all([facts.close(), counters.close()]);
    throw new RulesetLoadError(refusedSql);
  }

  let stopping = false;
  const secrets = new HookSecrets(config.authSecrets);
  const app = createApp({ config, store, logger, metrics, secrets, facts, counters, isStopping: () => stopping });
  const server = createServer(config, app.callback());
  server.keepAliveTimeout = 5_000;
  watchTimeouts(server, () => {
    metrics.observeRequest('unmatched', 'other', 408);
    logger.warn({ event: 'request-rejected', status: 408, reason: 'request_timeout', method: 'other', route: 'unmatched' }, 'the request did not arrive in time');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new StartError([describeListenError(error, config.host, config.port)], 'listen')));
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;
  logger.info({ url: `${url}${HOOK_PATH}` }, 'listening');
  const reload = config.reload ?? DEFAULT_RELOAD;
  const setup = { workers: config.workers ?? 1, stateUrl: state.url, production: environment.production };
  const reloader = startReloader({ dir: config.rulesDir, store, logger, environment, ...reload, refuse: async (next) => {
    const counterErrors = perWorkerCounterErrors(next, setup);
    if (counterErrors.length > 0) return counterErrors;
    // The new rules' databases open before they go live, and SQL a database refuses keeps the last good rules, as it stops a start.
    await facts.prepare(next);
    return checkFactSql(next, facts, logger);
  } });
  // Secret files are always watched (not only with RULES_WATCH): a rotated Secret must arrive without a restart.
  const secretsReloader = config.authSecretSources
    ? startSecretsReloader({ sources: config.authSecretSources, secrets, logger, debounceMs: reload.debounceMs, pollMs: reload.pollMs, sighup: reload.sighup })
    : undefined;

  const closed = new Promise<void>((resolve) => server.once('close', () => void counters.close().finally(resolve)));
  return {
    server,
    store,
    reloader,
    ...(secretsReloader ? { secretsReloader } : {}),
    metrics,
    facts,
    url,
    close: async () => {
      stopping = true;
      app.emit('stopping'); // long-lived streams (the preview page's live updates) end now
      void reloader.close();
      secretsReloader?.close();
      if (server.listening) server.close();
      server.closeIdleConnections();
      await closed;
      await facts.close();
    },
    shutdown: async () => {
      stopping = true;
      void reloader.close();
      secretsReloader?.close();
      const deadline = Date.now() + config.shutdownDelayMs + config.shutdownTimeoutMs;
      logger.info({ delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs }, 'stopping: readiness is 503');
      // Keep accepting until connections stop arriving: what the kernel already queued would
      // be reset by closing the listener (answers from now on carry Connection: close, app.ts).
      const quietWait = Math.min(MAX_QUIET_WAIT_MS, Math.floor(config.shutdownTimeoutMs / 2));
      const { waitedMs } = await waitForQuiet(server, { minMs: config.shutdownDelayMs, quietMs: QUIET_MS, maxMs: config.shutdownDelayMs + quietWait });
      app.emit('stopping');
      if (server.listening) server.close();
      logger.info({ waitedMs }, 'listener closed; finishing requests in flight');
      // Idle sockets are closed as they appear.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
      const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
      clearInterval(sweep);
      clearTimeout(timer);
      if (outcome === 'closed') {
        await facts.close();
        return { cut: 0 };
      }
      const cut = await openConnections(server);
      server.closeAllConnections();
      await facts.close();
      logger.warn({ cut, timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: cut the connections still open');
      return { cut };
    },
  };
}

/** Counting in memory with several processes, or hashing keys with the fixed salt, said at start. */
function warnAboutCounters(ruleset: CompiledRuleset, state: StateConfig, workers: number, logger: Logger): void {
  if (ruleset.counters.size === 0) return;
  if (!state.url && workers > 1) {
    logger.warn({ workers }, 'counters are kept in memory, per process: with WORKERS > 1 each worker counts on its own. Set STATE_URL to a Redis shared by every process');
  }
  if (state.url && state.keySaltDefaulted) logger.warn('STATE_KEY_SALT is not set: counter keys in Redis are hashed with a fixed salt. Set a random one (required in production)');
}


function createServer(config: ServerConfig, handler: http.RequestListener): http.Server {
  if (!config.tls) return http.createServer(TIMEOUT_OPTIONS, handler);
  try {
    return https.createServer({ ...TIMEOUT_OPTIONS, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, handler);
  } catch (error) {
    // serve checks the pair before listening; this covers files changed since.
    const problems = checkTls(config.tls);
    throw new StartError(problems.length > 0 ? problems : [`TLS_CERT_FILE/TLS_KEY_FILE: ${(error as Error).message}`], 'config');
  }
}

function openConnections(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? -1 : count)));
}
