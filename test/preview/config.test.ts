import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('PREVIEW setting', () => {
  it('is off unless PREVIEW is 1 or true', () => {
    expect(loadConfig({}).preview).to.equal(false);
    expect(loadConfig({ PREVIEW: '0' }).preview).to.equal(false);
    expect(loadConfig({ PREVIEW: 'false' }).preview).to.equal(false);
    expect(loadConfig({ PREVIEW: '1' }).preview).to.equal(true);
    expect(loadConfig({ PREVIEW: 'true' }).preview).to.equal(true);
  });

  it('rejects other values', () => {
    expect(() => loadConfig({ PREVIEW: 'yes' })).to.throw(ConfigError, /PREVIEW/);
  });

  it('is refused in production without the hook secret, allowed with it', () => {
    // OAuth alone satisfies production, but the page can only send the header secret.
    const oauth = { OKTA_HOOK_OAUTH_ISSUER: 'https://id.example/oauth2/default', OKTA_HOOK_OAUTH_AUDIENCE: 'api://default' };
    expect(() => loadConfig({ PREVIEW: '1', NODE_ENV: 'production', ...oauth })).to.throw(ConfigError, /PREVIEW.*OKTA_HOOK_AUTH_SECRET/);
    expect(loadConfig({ PREVIEW: '1', NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'x' }).preview).to.equal(true);
    expect(loadConfig({ NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'x' }).preview).to.equal(false);
  });
});
