import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/log.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { createApp, type AppOptions } from '../../src/server/app.js';
import { RulesetStore } from '../../src/ruleset/RulesetStore.js';
import { FIXTURES, ROOT } from './childProcess.js';

/** Log lines a test can read back. */
export class LogSink extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) this.lines.push(JSON.parse(text) as Record<string, unknown>);
    done();
  }
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** The real app on a loopback port, with the default rules. */
export async function startApp(overrides: Partial<Omit<AppOptions, 'config'>> & { config?: Partial<AppOptions['config']> } = {}) {
  const loaded = await loadHookRuleset(path.join(ROOT, 'rules'));
  if (!loaded.ok) throw new Error('default rules do not load');
  const store = new RulesetStore(loaded.ruleset);
  const sink = new LogSink();
  const logger = createLogger({ level: 'info' }, sink);
  const { config, ...rest } = overrides;
  const app = createApp({
    store,
    logger,
    ...rest,
    config: { authHeader: 'authorization', authSecrets: [], bodyLimit: '100kb', onRuleError: 'deny', ...config },
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    logs: sink.lines,
    hook: (headers: Record<string, string>, body: unknown = fixture('guide-ssr-request-2022.json')) =>
      fetch(`${url}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
