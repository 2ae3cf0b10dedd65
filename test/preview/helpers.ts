import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import type { RulesetStore } from '../../src/ruleset/RulesetStore.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { NETWORK_AND_RETIRED_RULES } from '../helpers/tokenRules.js';

export interface PreviewServer extends RunningServer {
  rulesDir: string;
  /** Stops the server and removes the temp rules. */
  stop(): Promise<void>;
}

/** The real server on loopback, port 0, over a temp copy of the default rules (plus `files`), preview on. */
export async function startPreviewServer(env: Record<string, string> = {}, files: Record<string, string> = {}, { defaultRules = true } = {}): Promise<PreviewServer> {
  const rulesDir = await mkdtemp(path.join(os.tmpdir(), 'preview-rules-'));
  if (defaultRules) await cp(path.join(PACKAGE_ROOT, 'rules'), rulesDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(rulesDir, name), text);
  const config = loadConfig({ RULES_DIR: rulesDir, HOST: '127.0.0.1', PORT: '0', PREVIEW: '1', LOG_LEVEL: 'silent', ...env });
  const running = await startServer(config, createLogger('silent'));
  return {
    ...running,
    rulesDir,
    stop: async () => {
      await running.close();
      await rm(rulesDir, { recursive: true, force: true });
    },
  };
}

/** Exactly what the rules reloader does after a change: load the directory, then swap or reject. */
export async function reloadRules(store: RulesetStore, dir: string): Promise<boolean> {
  const loaded = await loadHookRuleset(dir);
  if (loaded.ok) store.swap(loaded.ruleset);
  else store.reject(loaded.errors);
  return loaded.ok;
}

/**
 * Token rules for the preview's token tests: the token issue's lifetime-by-network and
 * retired-clients rules, a rule that adds, replaces and sets claims in both tokens, and one
 * whose value is not JSON when the request's query asks for it (a rule error).
 */
export const TOKEN_RULES = `lists:
  officeNetworks: { kind: networks, values: [10.0.0.0/8, "2001:db8::/32"] }
  retiredClients: [0oaRetiredClient]
rules:
${NETWORK_AND_RETIRED_RULES}  - id: tier-claim
    description: Access tokens say the tier and carry the last name as firstName; ID tokens carry the locale.
    appliesTo: [token]
    when: true
    then:
      access:
        claims:
          "https://example.com/claims/tier": gold
          firstName: { var: user.profile.lastName }
      identity:
        claims: { locale: { var: user.profile.locale } }
  - id: broken-ratio
    description: A claim whose value is a division by zero, when the query asks for it.
    appliesTo: [token]
    when: { "==": [{ var: query.ratio }, broken] }
    then:
      access: { claims: { ratio: { "/": [1, 0] } } }
`;

export const BROKEN_YAML = 'description: broken on purpose\nrules:\n  - id: oops\n    when: [unclosed\n';

export interface EventStream {
  status: number;
  contentType: string;
  /** The next event, or undefined once the server has ended the stream. */
  next(): Promise<{ event: string; data: string } | undefined>;
  /** Closes the connection, as a browser tab going away does. */
  close(): void;
}

/**
 * Opens a Server-Sent Events stream with node:http rather than fetch: destroying the request
 * closes the socket at once, where fetch keeps it until a timeout and would hold up server.close.
 */
export function openEvents(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      const ready: Array<{ event: string; data: string } | undefined> = [];
      const waiting: Array<(value: { event: string; data: string } | undefined) => void> = [];
      const push = (value: { event: string; data: string } | undefined) => {
        const waiter = waiting.shift();
        if (waiter) waiter(value);
        else ready.push(value);
      };
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
          if (data.length === 0) continue;
          push({ event: lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message', data: data.join('\n') });
        }
      });
      response.on('close', () => push(undefined));
      resolve({
        status: response.statusCode ?? 0,
        contentType: String(response.headers['content-type'] ?? ''),
        next: () => (ready.length > 0 ? Promise.resolve(ready.shift()) : new Promise((done) => waiting.push(done))),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
