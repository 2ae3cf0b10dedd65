import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { tempRulesDir } from '../../helpers/tempRules.js';
import { answerProblems, expectedStatus } from './oracle.js';
import { postJson, send, type Answer } from './http.js';
import { pollutionProblems, prototypeSnapshot } from './prototypes.js';

export interface HostileServer {
  server: TestServer;
  url: string;
  /** POST `text` as JSON; fail with the reasons unless the answer is acceptable and has `status` (default: expectedStatus). */
  expectAnswer(text: string | Buffer, status?: number, headers?: Record<string, string>): Promise<Answer>;
  /** After a suite: the server still answers, logged no unhandled error, and no prototype changed. */
  checkAfterwards(): Promise<void>;
  stop(): Promise<void>;
}

/** The real server on loopback, on the default rules or on the given rule files. */
export async function startHostileServer(env: Record<string, string>, files?: Record<string, string>): Promise<HostileServer> {
  const snapshot = prototypeSnapshot();
  const dir = files ? await tempRulesDir(files) : undefined;
  const server = await startTestServer({ RULES_DIR: dir?.dir ?? 'rules', ...env });
  return {
    server,
    url: server.url,
    async expectAnswer(text, status, headers) {
      const answer = await postJson(server.url, text, headers);
      const problems = answerProblems(answer);
      const want = status ?? expectedStatus(typeof text === 'string' ? text : text.toString('utf8'));
      if (answer.status !== want) problems.push(`status ${answer.status}, expected ${want}: ${answer.text.slice(0, 300)}`);
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nfor body ${JSON.stringify(String(text).slice(0, 300))}`);
      return answer;
    },
    async checkAfterwards() {
      const health = await send(server.url, { method: 'GET', path: '/healthz' });
      expect(health.status).to.equal(200);
      const unhandled = server.logs.lines.filter((l) => l.msg === 'unhandled error');
      expect(unhandled.map((l) => JSON.stringify(l.err).slice(0, 300))).to.deep.equal([]);
      // Parser errors carry the raw request bytes: they must never reach the log (PII).
      expect(server.logs.lines.filter((l) => JSON.stringify(l).includes('rawPacket'))).to.deep.equal([]);
      expect(pollutionProblems(snapshot)).to.deep.equal([]);
    },
    async stop() {
      await server.close();
      await dir?.remove();
    },
  };
}
