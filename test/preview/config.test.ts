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

  it('is refused in production without hook authentication, allowed with a secret or OAuth', () => {
    // The page sends a header secret or a bearer token: either is what the hook accepts.
    const oauth = { OKTA_HOOK_OAUTH_ISSUER: 'https://id.example/oauth2/hooks', OKTA_HOOK_OAUTH_AUDIENCE: 'api://okta-hook', OKTA_HOOK_OAUTH_CLIENT_IDS: '0oa-hook' };
    expect(() => loadConfig({ PREVIEW: '1', NODE_ENV: 'production' })).to.throw(ConfigError, /PREVIEW.*OKTA_HOOK_AUTH_SECRET.*OKTA_HOOK_OAUTH_ISSUER/);
    expect(loadConfig({ PREVIEW: '1', NODE_ENV: 'production', ...oauth }).preview).to.equal(true);
    expect(loadConfig({ PREVIEW: '1', NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'x' }).preview).to.equal(true);
    expect(loadConfig({ NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'x' }).preview).to.equal(false);
  });
});
