import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

/** Log lines written by the server, parsed. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

export interface TestServer extends RunningServer {
  logs: LogCapture;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

/** The real server on 127.0.0.1 with an ephemeral port. */
export async function startTestServer(env: Record<string, string>): Promise<TestServer> {
  const config: Config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env });
  const logs = new LogCapture();
  const running = await startServer(config, createLogger(config.logLevel, logs));
  return {
    ...running,
    logs,
    async post(path, body, headers = {}) {
      const response = await fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* keep text */
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
}
