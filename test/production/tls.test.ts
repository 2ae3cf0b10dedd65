import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ServeProcess } from './childProcess.js';

describe('TLS_CERT_FILE / TLS_KEY_FILE', function () {
  it('serves HTTPS with the given certificate', async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
    if (made.error || made.status !== 0) this.skip(); // no openssl here: nothing to make a certificate with

    const serve = new ServeProcess({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
    try {
      const base = await serve.url();
      expect(base).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        // Verified against the test certificate: a real TLS handshake, not an unchecked one.
        https
          .get(`${base}/healthz`, { ca: readFileSync(cert), agent: false }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          })
          .on('error', reject);
      });
      expect(status).to.equal(200);
      expect(JSON.parse(body)).to.deep.equal({ status: 'ok' });
    } finally {
      serve.kill('SIGKILL');
    }
  });
});
