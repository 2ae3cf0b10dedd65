import { expect } from 'chai';
import fc from 'fast-check';
import http from 'node:http';
import net from 'node:net';
import { headerValues } from '../../src/server/middleware/headerValues.js';

/** Sends raw header lines to a real server on loopback; the server compares headerValues with Node's headersDistinct. */
describe('headerValues (the auth header, read from rawHeaders)', () => {
  let server: http.Server;
  let port: number;
  const seen: Array<{ name: string; ours: string[] | undefined; nodes: string[] | undefined }> = [];
  let names: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      for (const name of names) seen.push({ name, ours: headerValues(req, name), nodes: req.headersDistinct[name] });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function send(lines: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(`GET / HTTP/1.1\r\nHost: x\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`));
      socket.on('data', () => {});
      socket.on('end', () => resolve());
      socket.on('error', reject);
    });
  }

  it('gives what headersDistinct gives, for any case, repetition, order and spacing', async () => {
    const name = fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION', 'x-okta-secret', 'X-Okta-Secret', 'authorizatio', 'authorizations', 'x-other');
    const value = fc.stringMatching(/^[ \t]?[!-~]{0,20}( [!-~]{1,5})?[ \t]?$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 6 }), async (headers) => {
        seen.length = 0;
        names = ['authorization', 'x-okta-secret'];
        await send(headers.map(([n, v]) => `${n}:${v}`));
        expect(seen).to.have.length(2);
        for (const { ours, nodes } of seen) expect(ours).to.deep.equal(nodes);
      }),
      { numRuns: 150 },
    );
  });
});
