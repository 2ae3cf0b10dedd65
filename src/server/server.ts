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
import { DEFAULT_FACTS_DEADLINE_MS } from '../facts/resolveFacts.js';
import type { Logger } from '../log.js';
import { loadRuleset } from '../rules/loadRuleset.js';
import type { CompiledRuleset } from '../rules/CompiledRuleset.js';
import { RulesetLoadError } from '../rules/RuleError.js';
import type { StateConfig } from '../counters/stateConfig.js';
import { createApp } from './app.js';
import { DEFAULT_RELOAD } from './reloadConfig.js';
import { startReloader, type Reloader } from './reloader.js';
import { clusterMetricsSource } from './clusterMetrics.js';
import { Metrics } from './metrics.js';
import { HOOK_PATH } from './routes/hook.js';
import { RulesetStore } from './RulesetStore.js';

export interface RunningServer {
  server: http.Server;
  store: RulesetStore;
  /** Reloads the rules on demand, on SIGHUP, and on file changes when RULES_WATCH is on. */
  reloader: Reloader;
  metrics: Metrics;
  /** Databases and breakers of the rules' facts; closed by close() and shutdown(). */
  facts: FactSources;
  url: string;
  /** Stops at once: no delay, idle connections closed, resolves when the last request ends. */
  close(): Promise<void>;
  /**
   * Graceful stop: readiness turns 503; after `shutdownDelayMs` the listener closes; requests in
   * flight finish and keep-alive connections close as they go idle; after `shutdownTimeoutMs`
   * whatever is left is cut. Resolves with the number of connections cut.
   */
  shutdown(): Promise<{ cut: number }>;
}

export type ServerConfig = Pick<
  Config,
  'port' | 'host' | 'rulesDir' | 'authHeader' | 'authSecrets' | 'bodyLimit' | 'onRuleError' | 'shutdownDelayMs' | 'shutdownTimeoutMs'
> &
  Partial<Pick<Config, 'oauth' | 'tls' | 'preview' | 'reload' | 'state' | 'workers' | 'factsDeadlineMs'>>;

/** Loads the rules (refusing to start on an invalid ruleset), then listens (HTTPS with TLS_CERT_FILE/TLS_KEY_FILE). */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const loaded = await loadRuleset(config.rulesDir);
  if (!loaded.ok) throw new RulesetLoadError(loaded.errors);
  const store = new RulesetStore(loaded.ruleset);
  logger.info(
    { rulesetVersion: loaded.ruleset.version, rules: loaded.ruleset.rules.length, files: loaded.ruleset.files.length, rulesDir: config.rulesDir },
    'rules loaded',
  );
  if (config.authSecrets.length === 0 && !config.oauth) {
    logger.warn(
      `HOOK ENDPOINT IS OPEN: no OKTA_HOOK_AUTH_SECRET and no OKTA_HOOK_OAUTH_ISSUER is set, so anyone who can reach ${HOOK_PATH} gets answers. Set the secret to the value Okta sends in the "${config.authHeader}" header.`,
    );
  }
  const metrics = new Metrics();
  metrics.watch(store);
  if (cluster.isWorker) metrics.useSource(clusterMetricsSource(metrics.registry));
  const state = config.state ?? stateConfigFromEnv({}, false, []);
  const counters = await openCounterRuntime(state, { logger, registry: metrics.registry });
  warnAboutCounters(store.current(), state, config.workers ?? 1, logger);
  // Give Redis a moment to connect, so counting starts with the first request; a Redis that
  // is down does not stop the start (counters follow their onError until it is back).
  if (store.current().counters.size > 0 && !(await counters.connected(2_000))) logger.warn({ store: 'redis' }, 'counter store not reachable at start; serving anyway');
  store.on('swapped', (next, previous) => previous.counters.size === 0 && warnAboutCounters(next, state, config.workers ?? 1, logger));

  const facts = new FactSources({
    env: process.env,
    production: process.env.NODE_ENV === 'production',
    deadlineMs: config.factsDeadlineMs ?? DEFAULT_FACTS_DEADLINE_MS,
    logger,
    metrics: new FactMetrics(metrics.registry),
  });
  // Databases open before the first request; one that is down is logged and does not stop the start.
  await facts.prepare(loaded.ruleset);
  for (const warning of loaded.ruleset.warnings) logger.warn({ file: warning.file, line: warning.line }, warning.message);
  store.on('swapped', (next) => void facts.prepare(next));

  let stopping = false;
  const app = createApp({ config, store, logger, metrics, facts, counters, isStopping: () => stopping });
  const server: http.Server = config.tls
    ? https.createServer({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, app.callback())
    : http.createServer(app.callback());
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;
  logger.info({ url: `${url}${HOOK_PATH}` }, 'listening');
  const reloader = startReloader({ dir: config.rulesDir, store, logger, ...(config.reload ?? DEFAULT_RELOAD) });

  const closed = new Promise<void>((resolve) => server.once('close', () => void counters.close().finally(resolve)));
  return {
    server,
    store,
    reloader,
    metrics,
    facts,
    url,
    close: async () => {
      stopping = true;
      app.emit('stopping'); // long-lived streams (the preview page's live updates) end now
      void reloader.close();
      if (server.listening) server.close();
      server.closeIdleConnections();
      await closed;
      await facts.close();
    },
    shutdown: async () => {
      stopping = true;
      void reloader.close();
      logger.info({ delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs }, 'stopping: readiness is 503');
      if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
      app.emit('stopping');
      if (server.listening) server.close();
      // Responses from now on carry Connection: close (app.ts); idle sockets are closed as they appear.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs)));
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openConnections(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? -1 : count)));
}
