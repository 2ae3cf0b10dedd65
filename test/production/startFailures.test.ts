import net from 'node:net';
import { expect } from 'chai';
import { ServeProcess } from './childProcess.js';
import { makeTlsFiles, type TlsFiles } from './tlsFiles.js';

/** A port held by another listener for the duration of a test. */
async function busyPort(): Promise<{ port: number; close(): void }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return { port: (holder.address() as net.AddressInfo).port, close: () => holder.close() };
}

/**
 * Starts serve and expects it to give up: exit `code` within `withinMs`, exactly one `fatal`
 * JSON line whose problems match `problem`, the same words on stderr, and no stack trace.
 */
async function expectRefusal(env: Record<string, string>, code: number, problem: RegExp, withinMs = 8_000) {
  const started = Date.now();
  const serve = new ServeProcess(env);
  try {
    const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), withinMs).unref());
    const exit = await Promise.race([serve.exited, timeout]);
    expect(exit, `${serve.stderr}\n${serve.raw.join('\n')}`).to.deep.equal({ code, signal: null });
    const fatal = serve.lines.filter((line) => line.level === 60);
    expect(fatal, serve.raw.join('\n')).to.have.length(1);
    expect((fatal[0]!.problems as string[]).some((text) => problem.test(text)), JSON.stringify(fatal[0])).to.equal(true);
    expect(serve.stderr).to.match(problem);
    expect(serve.stderr).not.to.match(/\n\s+at /); // no stack trace
    expect(serve.raw.filter((text) => !text.startsWith('{')), 'every stdout line is JSON').to.deep.equal([]);
    expect(serve.lines.some((line) => line.msg === 'listening' || line.msg === 'worker started')).to.equal(false);
    return { serve, ms: Date.now() - started };
  } finally {
    serve.kill('SIGKILL');
  }
}

describe('a start that cannot succeed ends the process (issue #16)', function () {
  this.timeout(60_000);
  let tls: TlsFiles | undefined;
  before(() => (tls = makeTlsFiles()));
  const needTls = (context: Mocha.Context) => tls ?? context.skip();

  for (const workers of ['1', '2']) {
    describe(`WORKERS=${workers}`, () => {
      it('a busy port: exit 1, one fatal line naming it', async () => {
        const busy = await busyPort();
        try {
          await expectRefusal({ WORKERS: workers, PORT: String(busy.port) }, 1, new RegExp(`PORT: port ${busy.port} is already in use`));
        } finally {
          busy.close();
        }
      });

      it('a TLS key that is not the certificate\'s: exit 2', async function () {
        const files = needTls(this);
        await expectRefusal({ WORKERS: workers, TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.otherKey }, 2, /TLS_KEY_FILE: the key in ".*" does not belong to the certificate/);
      });
    });
  }

  it('a garbage TLS key: exit 2', async function () {
    const files = needTls(this);
    await expectRefusal({ TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.garbage }, 2, /TLS_KEY_FILE: ".*" holds no PEM private key/);
  });

  it('a folder given as the certificate: exit 2', async function () {
    const files = needTls(this);
    await expectRefusal({ TLS_CERT_FILE: files.dir, TLS_KEY_FILE: files.key }, 2, /TLS_CERT_FILE: ".*" is a folder, not a PEM file/);
  });

  it('a HOST that does not resolve: exit 2', async () => {
    await expectRefusal({ HOST: 'no-such-host.invalid' }, 2, /HOST: "no-such-host\.invalid" does not resolve/, 12_000);
  });

  it('OAuth in production without OKTA_HOOK_OAUTH_CLIENT_IDS: exit 2, saying why', async () => {
    const oauth = { NODE_ENV: 'production', OKTA_HOOK_OAUTH_ISSUER: 'https://id.example.com/oauth2/hooks', OKTA_HOOK_OAUTH_AUDIENCE: 'api://okta-hook' };
    await expectRefusal(oauth, 2, /OKTA_HOOK_OAUTH_CLIENT_IDS: required in production with OKTA_HOOK_OAUTH_ISSUER/);
    await expectRefusal({ ...oauth, OKTA_HOOK_OAUTH_CLIENT_IDS: ' , ' }, 2, /OKTA_HOOK_OAUTH_CLIENT_IDS: required in production/);
  });

  it('a BODY_LIMIT too small for an Okta request: exit 2, with every other bad setting', async () => {
    const { serve } = await expectRefusal({ BODY_LIMIT: '0kb', WORKERS: 'many' }, 2, /BODY_LIMIT: "0kb" is below 16kb/);
    expect(serve.stderr).to.contain('WORKERS: "many"');
  });
});
