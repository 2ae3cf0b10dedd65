import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import type { Logger } from '../observability/log.js';
import { loadRuleset } from '../rules/loadRuleset.js';
import { RulesetLoadError } from '../rules/RuleError.js';
import { createApp } from './app.js';
import { DEFAULT_RELOAD } from '../ruleset/reloadConfig.js';
import { startReloader, type Reloader } from '../ruleset/reloader.js';
import { clusterMetricsSource } from '../observability/clusterMetrics.js';
import { Metrics } from '../observability/metrics.js';
import { HOOK_PATH } from './routes/hook.js';
import { TIMEOUT_OPTIONS, watchTimeouts } from './requestTimeouts.js';
import { RulesetStore } from '../ruleset/RulesetStore.js';

export interface RunningServer {
  server: http.Server;
  store: RulesetStore;
  /** Reloads the rules on demand, on SIGHUP, and on file changes when RULES_WATCH is on. */
  reloader: Reloader;
  metrics: Metrics;
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
  Partial<Pick<Config, 'oauth' | 'tls' | 'preview' | 'reload'>>;

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

  let stopping = false;
  const app = createApp({ config, store, logger, metrics, isStopping: () => stopping });
  const server: http.Server = config.tls
    ? https.createServer({ ...TIMEOUT_OPTIONS, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, app.callback())
    : http.createServer(TIMEOUT_OPTIONS, app.callback());
  server.keepAliveTimeout = 5_000;
  watchTimeouts(server, () => {
    metrics.observeRequest('unmatched', 'other', 408);
    logger.warn({ event: 'request-rejected', status: 408, reason: 'request_timeout', method: 'other', route: 'unmatched' }, 'the request did not arrive in time');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;
  logger.info({ url: `${url}${HOOK_PATH}` }, 'listening');
  const reloader = startReloader({ dir: config.rulesDir, store, logger, ...(config.reload ?? DEFAULT_RELOAD) });

  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    server,
    store,
    reloader,
    metrics,
    url,
    close: async () => {
      stopping = true;
      app.emit('stopping'); // long-lived streams (the preview page's live updates) end now
      void reloader.close();
      if (server.listening) server.close();
      server.closeIdleConnections();
      await closed;
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
      if (outcome === 'closed') return { cut: 0 };
      const cut = await openConnections(server);
      server.closeAllConnections();
      logger.warn({ cut, timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: cut the connections still open');
      return { cut };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openConnections(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? -1 : count)));
}
