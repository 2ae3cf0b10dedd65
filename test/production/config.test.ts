import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ServeProcess } from './childProcess.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, false);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hook-config-'));
  const file = (name: string, text: string) => {
    const full = path.join(dir, name);
    writeFileSync(full, text);
    return full;
  };

  it('has working defaults in development', () => {
    const config = loadConfig({}, false);
    expect(config).to.include({ port: 8080, host: '0.0.0.0', rulesDir: './rules', authHeader: 'authorization', logPii: false, logFormat: 'json', workers: 1 });
    expect(config.authSecrets).to.deep.equal([]);
    expect(config.oauth).to.equal(undefined);
    expect(config.tls).to.equal(undefined);
    expect(config.shutdownTimeoutMs).to.equal(10_000);
  });

  it('defaults to readable logs on a terminal outside production', () => {
    expect(loadConfig({}, true).logFormat).to.equal('pretty');
    expect(loadConfig({ NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'x'.repeat(32) }, true).logFormat).to.equal('json');
  });

  it('lists every bad value at once', () => {
    const problems = problemsOf({
      PORT: '80a',
      WORKERS: '0',
      LOG_LEVEL: 'loud',
      LOG_PII: 'maybe',
      LOG_FORMAT: 'xml',
      ON_RULE_ERROR: 'ignore',
      BODY_LIMIT: 'lots',
      SHUTDOWN_TIMEOUT_MS: '-1',
      TLS_CERT_FILE: '/nonexistent/cert.pem',
    });
    expect(problems.map((p) => p.split(':')[0])).to.deep.equal([
      'PORT',
      'ON_RULE_ERROR',
      'LOG_LEVEL',
      'LOG_FORMAT',
      'LOG_PII',
      'BODY_LIMIT',
      'WORKERS',
      'TLS_CERT_FILE and TLS_KEY_FILE',
      'SHUTDOWN_TIMEOUT_MS',
    ]);
  });

  it('refuses production without hook authentication', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/NODE_ENV=production needs hook authentication/);
    expect(loadConfig({ NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'a-secret' }, false).authSecrets).to.deep.equal(['a-secret']);
    const oauth = { NODE_ENV: 'production', OKTA_HOOK_OAUTH_ISSUER: 'https://id.example.com/oauth2/hooks', OKTA_HOOK_OAUTH_AUDIENCE: 'api://hook' };
    expect(loadConfig({ ...oauth, OKTA_HOOK_OAUTH_CLIENT_IDS: '0oa-hook, 0oa-preview' }, false).oauth).to.deep.equal({
      issuer: 'https://id.example.com/oauth2/hooks',
      audience: 'api://hook',
      clientIds: ['0oa-hook', '0oa-preview'],
    });
  });

  it('refuses OAuth in production without the hook client\'s id, and the id without an issuer', () => {
    const oauth = { NODE_ENV: 'production', OKTA_HOOK_OAUTH_ISSUER: 'https://id.example.com/oauth2/hooks', OKTA_HOOK_OAUTH_AUDIENCE: 'api://hook' };
    for (const ids of [undefined, '', ' , ']) {
      const problems = problemsOf(ids === undefined ? oauth : { ...oauth, OKTA_HOOK_OAUTH_CLIENT_IDS: ids });
      expect(problems, String(ids)).to.have.length(1);
      expect(problems[0]).to.match(/^OKTA_HOOK_OAUTH_CLIENT_IDS: required in production with OKTA_HOOK_OAUTH_ISSUER/);
    }
    expect(problemsOf({ OKTA_HOOK_OAUTH_CLIENT_IDS: '0oa-hook' })).to.deep.equal(['OKTA_HOOK_OAUTH_CLIENT_IDS: set, but OKTA_HOOK_OAUTH_ISSUER is not']);
    // Outside production it may be left out (any client of the issuer; the start warns).
    expect(loadConfig({ OKTA_HOOK_OAUTH_ISSUER: 'http://127.0.0.1:9/', OKTA_HOOK_OAUTH_AUDIENCE: 'a' }, false).oauth).not.to.have.property('clientIds');
  });

  it('collects header secrets from every source, for rotation, without repeats', () => {
    const config = loadConfig(
      {
        OKTA_HOOK_AUTH_SECRET: 'Basic one',
        OKTA_HOOK_AUTH_SECRET_FILE: file('secret', 'Basic two\n'),
        OKTA_HOOK_AUTH_SECRETS: 'Basic three, Basic four\nBasic one',
        OKTA_HOOK_AUTH_SECRETS_FILE: file('secrets', 'Basic five\r\n\nBasic six\n'),
      },
      false,
    );
    expect(config.authSecrets).to.deep.equal(['Basic one', 'Basic two', 'Basic three', 'Basic four', 'Basic five', 'Basic six']);
  });

  it('names an unreadable or empty secret file without echoing any secret', () => {
    const problems = problemsOf({
      OKTA_HOOK_AUTH_SECRET: 'Basic top\nsecret',
      OKTA_HOOK_AUTH_SECRET_FILE: path.join(dir, 'missing'),
      OKTA_HOOK_AUTH_SECRETS_FILE: file('empty', '\n\n'),
    });
    expect(problems).to.have.length(3);
    expect(problems[0]).to.match(/^OKTA_HOOK_AUTH_SECRET_FILE: cannot read .*ENOENT/);
    expect(problems[1]).to.equal('OKTA_HOOK_AUTH_SECRETS_FILE: the file holds no secret');
    expect(problems[2]).to.match(/^hook secret #1: contains a line break/);
    expect(problems.join('\n')).not.to.contain('top');
  });

  it('checks the OAuth settings together', () => {
    expect(problemsOf({ OKTA_HOOK_OAUTH_AUDIENCE: 'api://hook', OKTA_HOOK_OAUTH_SCOPE: 'hook' })).to.deep.equal([
      'OKTA_HOOK_OAUTH_AUDIENCE: set, but OKTA_HOOK_OAUTH_ISSUER is not',
      'OKTA_HOOK_OAUTH_SCOPE: set, but OKTA_HOOK_OAUTH_ISSUER is not',
    ]);
    const problems = problemsOf({ OKTA_HOOK_OAUTH_ISSUER: 'not a url', OKTA_HOOK_OAUTH_SCOPE: 'a b' });
    expect(problems).to.have.length(3);
    expect(problems[1]).to.match(/^OKTA_HOOK_OAUTH_AUDIENCE: required/);
    // Production takes https only; development allows http for a local issuer.
    expect(problemsOf({ NODE_ENV: 'production', OKTA_HOOK_OAUTH_ISSUER: 'http://id.example.com', OKTA_HOOK_OAUTH_AUDIENCE: 'a' })[0]).to.match(/must be an https URL/);
    const local = loadConfig({ OKTA_HOOK_OAUTH_ISSUER: 'http://127.0.0.1:9/', OKTA_HOOK_OAUTH_AUDIENCE: 'a', OKTA_HOOK_OAUTH_SCOPE: 'okta.hook', OKTA_HOOK_OAUTH_JWKS_URI: 'http://127.0.0.1:9/keys' }, false);
    expect(local.oauth).to.deep.equal({ issuer: 'http://127.0.0.1:9/', audience: 'a', scope: 'okta.hook', jwksUri: 'http://127.0.0.1:9/keys' });
  });

  it('refuses a BODY_LIMIT too small for an Okta request (under 16kb)', () => {
    expect(problemsOf({ BODY_LIMIT: '0kb' })).to.deep.equal(['BODY_LIMIT: "0kb" is below 16kb, too small for Okta\'s requests (every sign-up would get 413 and be denied)']);
    expect(problemsOf({ BODY_LIMIT: '16383b' })).to.have.length(1);
    expect(loadConfig({ BODY_LIMIT: '16kb' }, false).bodyLimit).to.equal('16kb');
    expect(loadConfig({ BODY_LIMIT: '1MB' }, false).bodyLimit).to.equal('1MB');
  });

  it('reads workers, TLS files and shutdown bounds', () => {
    const cert = file('cert.pem', 'cert');
    const key = file('key.pem', 'key');
    const config = loadConfig({ WORKERS: '3', TLS_CERT_FILE: cert, TLS_KEY_FILE: key, SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '20000', LOG_PII: 'true' }, false);
    expect(config).to.deep.include({ workers: 3, tls: { certFile: cert, keyFile: key }, shutdownDelayMs: 5000, shutdownTimeoutMs: 20000, logPii: true });
    expect(loadConfig({ WORKERS: 'auto' }, false).workers).to.be.at.least(1);
    expect(problemsOf({ TLS_KEY_FILE: key })).to.deep.equal(['TLS_CERT_FILE and TLS_KEY_FILE: set both or neither']);
  });
});

describe('serve, as configured', function () {
  it('refuses NODE_ENV=production without hook authentication (exit 2, every problem listed)', async () => {
    const serve = new ServeProcess({ NODE_ENV: 'production', WORKERS: 'many' });
    expect((await serve.exited).code).to.equal(2);
    expect(serve.stderr).to.contain('WORKERS: "many"');
    expect(serve.stderr).to.contain('NODE_ENV=production needs hook authentication');
    expect(serve.raw.join('\n')).not.to.contain('listening');
  });

  it('writes readable lines with LOG_FORMAT=pretty', async () => {
    const serve = new ServeProcess({ LOG_FORMAT: 'pretty' });
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => (serve.raw.some((line) => /INFO.*listening/.test(line)) ? resolve() : undefined);
        serve.child.stdout.on('data', check);
        void serve.exited.then(() => reject(new Error(`exited: ${serve.stderr}`)));
        check();
      });
      expect(serve.lines, 'no JSON lines').to.deep.equal([]);
    } finally {
      serve.kill('SIGKILL');
    }
  });
});
