import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { loadRuleset } from '../rules/loadRuleset.js';
import { RulesetLoadError } from '../rules/RuleError.js';
import { createApp } from './app.js';
import { DEFAULT_RELOAD } from './reloadConfig.js';
import { startReloader, type Reloader } from './reloader.js';
import { HOOK_PATH } from './routes/hook.js';
import { RulesetStore } from './RulesetStore.js';

export interface RunningServer {
  server: http.Server;
  store: RulesetStore;
  /** Reloads the rules on demand, on SIGHUP, and on file changes when RULES_WATCH is on. */
  reloader: Reloader;
  url: string;
  close(): Promise<void>;
}

/** Loads the rules (refusing to start on an invalid ruleset), then listens. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const loaded = await loadRuleset(config.rulesDir);
  if (!loaded.ok) throw new RulesetLoadError(loaded.errors);
  const store = new RulesetStore(loaded.ruleset);
  logger.info(
    { rulesetVersion: loaded.ruleset.version, rules: loaded.ruleset.rules.length, files: loaded.ruleset.files.length, rulesDir: config.rulesDir },
    'rules loaded',
  );
  if (config.authSecrets.length === 0) {
    logger.warn(
      `HOOK ENDPOINT IS OPEN: no OKTA_HOOK_AUTH_SECRET is set, so anyone who can reach ${HOOK_PATH} gets answers. Set it to the value Okta sends in the "${config.authHeader}" header.`,
    );
  }

  let stopping = false;
  const app = createApp({ config, store, logger, isStopping: () => stopping });
  const server = http.createServer(app.callback());
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url: `${url}${HOOK_PATH}` }, 'listening');
  const reloader = startReloader({ dir: config.rulesDir, store, logger, ...(config.reload ?? DEFAULT_RELOAD) });

  return {
    server,
    store,
    reloader,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        app.emit('stopping'); // long-lived streams (the preview page's live updates) end now
        void reloader.close();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
