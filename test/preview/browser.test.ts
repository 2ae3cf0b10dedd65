import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { relativeToRules } from '../../src/preview/rulesetState.js';
import { keyPair, signToken, startIssuer, type Issuer } from '../helpers/oauthIssuer.js';
import { describeRuleError } from '../../src/language/RuleError.js';
import { MEMBERS_SEED } from '../facts/support.js';
import { BROKEN_YAML, reloadRules, startPreviewServer, TOKEN_RULES, type PreviewServer } from './helpers.js';

// Debian's chromium, which .ci/run installs. Missing means the test fails: it is not optional.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUTPUT = path.join(PACKAGE_ROOT, 'test-output');

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A page that records its own script errors, so a test can insist there were none. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  return { page, errors };
}

describe('preview page in a browser', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: PreviewServer;
  let page: Page;
  let errors: string[];

  before(async () => {
    browser = await launch();
    server = await startPreviewServer();
    ({ page, errors } = await openPage(browser, `${server.url}/preview`));
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(() => expect(errors, 'errors in the page').to.deep.equal([]));

  const summary = () => page.locator('#summary');
  const formField = (name: string) => page.locator('#attributes').getByLabel(name, { exact: true });
  const widgetField = (name: string) => page.locator(`#widget [data-field="${name}"]`);
  const rule = (id: string) => page.locator(`#trace [data-rule="${id}"]`);

  it("opens on Okta's registration sample, allowed, with the ruleset version in use", async () => {
    await summary().filter({ hasText: 'ALLOW' }).waitFor();
    expect(await page.locator('#ruleset-version').textContent()).to.equal(server.store.current().version);
    expect(await formField('email').inputValue()).to.equal('rosario.jones@example.com');
    expect(await rule('deny-non-example-domain').locator('.badge').textContent()).to.equal('did not match');
    await page.locator('#live-status', { hasText: 'connected' }).waitFor();
  });

  it('denies an email on another domain: the message sits on the email field, the rule says why', async () => {
    await formField('email').fill('rosario@evil.example');
    await summary().filter({ hasText: 'DENY' }).filter({ hasText: 'decided by rule deny-non-example-domain' }).waitFor();

    const email = widgetField('email');
    expect(await email.locator('.widget-field-error').textContent()).to.equal('Use your example.com email address.');
    expect(await email.locator('input').getAttribute('aria-invalid')).to.equal('true');
    expect(await widgetField('firstName').locator('.widget-field-error').count()).to.equal(0);
    expect(await page.locator('#widget .widget-alert').count()).to.equal(0);

    const denied = rule('deny-non-example-domain');
    expect(await denied.locator('.badge').textContent()).to.equal('matched');
    expect(await denied.textContent()).to.include('decided the outcome').and.include('"evil.example"');
    expect(await page.locator('#response').textContent()).to.include('"registration": "DENY"');
    expect(JSON.parse(await page.locator('#raw-json').inputValue()).data.userProfile.email).to.equal('rosario@evil.example');
    await page.screenshot({ path: path.join(OUTPUT, 'preview-deny.png'), fullPage: true });
  });

  it('keeps the raw JSON and the attribute form in sync, both ways', async () => {
    const request = JSON.parse(await page.locator('#raw-json').inputValue());
    request.data.userProfile.email = 'rosario@example.com';
    await page.locator('#raw-json').fill(JSON.stringify(request, null, 2));
    await summary().filter({ hasText: 'ALLOW' }).waitFor();
    expect(await formField('email').inputValue()).to.equal('rosario@example.com');

    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.locator('#attributes .attr-name').last().fill('department');
    await formField('department').fill('Sales');
    expect(JSON.parse(await page.locator('#raw-json').inputValue()).data.userProfile.department).to.equal('Sales');
    await page.getByRole('button', { name: 'Remove department' }).click();
    expect(JSON.parse(await page.locator('#raw-json').inputValue()).data.userProfile).not.to.have.property('department');

    await page.locator('#raw-json').fill('{ not json');
    expect(await page.locator('#raw-json-error').textContent()).to.match(/^Not valid JSON/);
    expect(await page.locator('#raw-json').getAttribute('aria-invalid')).to.equal('true');
  });

  it('switches to progressive profile: the submitted attribute comes back as a profile update', async () => {
    await page.getByLabel('Progressive profile').check();
    await summary().filter({ hasText: 'ALLOW' }).filter({ hasText: 'progressive profile' }).waitFor();
    expect(await page.locator('#attributes-path').textContent()).to.equal('data.userProfileUpdate');
    expect(await page.locator('#updates').textContent()).to.include('employeeNumber').and.include('"1234"').and.include('accept-submitted-attributes');
    expect(await page.locator('#widget .widget-ok').textContent()).to.include('employeeNumber');
    expect(await page.locator('#response').textContent()).to.include('com.okta.user.progressive.profile.update');

    await formField('employeeNumber').fill('12');
    await summary().filter({ hasText: 'DENY' }).waitFor();
    expect(await widgetField('employeeNumber').locator('.widget-field-error').textContent()).to.equal('Employee numbers have exactly 4 digits.');
    expect(await rule('accept-submitted-attributes').locator('.badge').textContent()).to.equal('not evaluated');
  });

  it('shows a refused edit in the words the CLI uses: the rule it is in, and the hint for an unquoted "!="', async () => {
    const file = path.join(server.rulesDir, 'registration.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace(/^(\s+)"!=":/m, '$1!=:').replace(/message: (.*)/, 'messages: $1'));
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(false);
    await page.locator('#load-errors-list li', { hasText: 'as a tag' }).waitFor();
    const items = await page.locator('#load-errors-list li').allTextContents();
    expect(items.some((text) => /^registration\.yaml:\d+:\d+ YAML read "!=" as a tag, .*quote the key: "!=":$/.test(text)), items.join('\n')).to.equal(true);
    await writeFile(file, original.replace(/message: (.*)/, 'messages: $1'));
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(false);
    await page.locator('#load-errors-list li', { hasText: 'did you mean "message"' }).waitFor();
    const named = await page.locator('#load-errors-list li', { hasText: 'did you mean "message"' }).textContent();
    expect(named).to.match(/^registration\.yaml:\d+:\d+ rule "deny-non-example-domain" \(registration\.yaml:\d+:5\): then\.deny: unknown property "messages"/);
    await writeFile(file, original);
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    await page.locator('#load-errors').waitFor({ state: 'hidden' });
  });

  it('shows a bad rule edit with its position, then the fix, live and without reloading the page', async () => {
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const file = path.join(server.rulesDir, 'progressive-profile.yaml');
    const original = await readFile(file, 'utf8');

    await writeFile(file, BROKEN_YAML);
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(false);
    const [first] = server.store.loadErrors();
    const position = `${relativeToRules(server.rulesDir, first!.file)}:${first!.line}:${first!.column}`;
    expect(position).to.match(/^progressive-profile\.yaml:\d+:\d+$/);
    await page.locator('#load-errors').waitFor({ state: 'visible' });
    expect(await page.locator('#load-errors-list li').first().textContent()).to.equal(`${position} ${describeRuleError(first!)}`);
    const failure = server.store.lastFailure()!;
    expect(await page.locator('#load-errors-when').textContent()).to.include(failure.at.toISOString()).and.include('in progressive-profile.yaml.', await page.locator('#load-errors-when').textContent() ?? '');
    expect(await page.locator('#load-errors').textContent()).to.include(server.store.current().version);
    expect(await page.locator('#announcer').textContent()).to.match(/did not reload: 1 error\./);
    await page.screenshot({ path: path.join(OUTPUT, 'preview-load-error.png'), fullPage: true });

    // The fix: a new message, which the page shows by evaluating the same request again.
    await writeFile(file, original.replace('Employee numbers have exactly 4 digits.', 'Four digits, please.'));
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    await page.locator('#load-errors').waitFor({ state: 'hidden' });
    await widgetField('employeeNumber').locator('.widget-field-error', { hasText: 'Four digits, please.' }).waitFor();
    expect(await page.locator('#ruleset-version').textContent()).to.equal(server.store.current().version);
    expect(await page.locator('#announcer').textContent()).to.equal(`Rules reloaded: version ${server.store.current().version}.`);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).to.equal(true);
    await page.screenshot({ path: path.join(OUTPUT, 'preview.png'), fullPage: true });
  });

  it('with settings.denyCauses: all, shows every deny rule that gave causes, each cause in the widget', async () => {
    // The page is left on progressive profile with employeeNumber "12" (denied) by the tests above.
    const extra = path.join(server.rulesDir, 'zz-all-causes.yaml');
    await writeFile(extra, `settings: { denyCauses: all }
rules:
  - id: deny-not-1234
    description: a second deny for the same request
    appliesTo: [progressive.profile]
    when: { "!=": [{ var: submitted.employeeNumber }, "1234"] }
    then: { deny: { message: Not 1234., causes: [{ message: Only 1234 is accepted here. }] } }
`);
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    await page.locator('#denied-by').waitFor();
    expect(await page.locator('#denied-by').textContent()).to.equal(
      'Causes from every matching deny rule (settings.denyCauses: all): deny-malformed-employee-number, deny-not-1234',
    );
    expect(await widgetField('employeeNumber').locator('.widget-field-error').textContent()).to.equal('Four digits, please.');
    expect(await page.locator('#widget').textContent()).to.include('Only 1234 is accepted here.');
    expect(await rule('deny-not-1234').locator('.badge').textContent()).to.equal('matched');
    await page.screenshot({ path: path.join(OUTPUT, 'preview-deny-causes-all.png'), fullPage: true });
    await rm(extra);
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    await page.locator('#denied-by').waitFor({ state: 'detached' });
  });
});

describe('preview page in a browser, behind the hook secret', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: PreviewServer;

  before(async () => {
    browser = await launch();
    server = await startPreviewServer({ OKTA_HOOK_AUTH_SECRET: 'correct horse' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks for the secret, refuses a wrong one, and works with the right one', async () => {
    const { page } = await openPage(browser, `${server.url}/preview`);
    const secret = page.getByLabel('Hook secret');
    await secret.waitFor();
    expect(await page.getByLabel('Bearer token').isHidden(), 'no OAuth: no token field').to.equal(true);
    await secret.fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#auth-error', { hasText: 'not accepted' }).waitFor();

    await secret.fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#summary', { hasText: 'ALLOW' }).waitFor();
    await page.locator('#live-status', { hasText: 'connected' }).waitFor();
    expect(await page.locator('#auth').isHidden()).to.equal(true);
  });
});

describe('preview page in a browser, behind OAuth (a bearer token, no header secret)', function () {
  this.timeout(60_000);
  const AUDIENCE = 'api://okta-hook';
  let browser: Browser;
  let server: PreviewServer;
  let issuer: Issuer;
  let key: Awaited<ReturnType<typeof keyPair>>;

  before(async () => {
    issuer = await startIssuer();
    key = await keyPair('key-a');
    issuer.setKeys([key.jwk]);
    browser = await launch();
    server = await startPreviewServer({ OKTA_HOOK_OAUTH_ISSUER: issuer.issuer, OKTA_HOOK_OAUTH_AUDIENCE: AUDIENCE });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await issuer?.close();
  });

  it('asks for a bearer token, refuses an expired one, and works with a valid one pasted', async () => {
    const { page, errors } = await openPage(browser, `${server.url}/preview`);
    const token = page.getByLabel('Bearer token');
    await token.waitFor();
    expect(await page.getByLabel('Hook secret').isHidden(), 'no header secret configured: no secret field').to.equal(true);

    await token.fill(await signToken(key, issuer.issuer, AUDIENCE, {}, Math.floor(Date.now() / 1000) - 600));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#auth-error', { hasText: 'not accepted' }).waitFor();

    // Pasted as copied from a tool, "Bearer " and all.
    await token.fill(`Bearer ${await signToken(key, issuer.issuer, AUDIENCE)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#summary', { hasText: 'ALLOW' }).waitFor();
    await page.locator('#live-status', { hasText: 'connected' }).waitFor();
    expect(await page.locator('#auth').isHidden()).to.equal(true);
    // The 401s of the refused token are the only console errors (the browser logs failed fetches).
    expect(errors.filter((error) => !/401/.test(error))).to.deep.equal([]);
  });
});

describe('preview page in a browser: rule warnings', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: PreviewServer;

  before(async () => {
    browser = await launch();
    server = await startPreviewServer();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a deny cause the widget cannot place, live after a reload, with its position', async () => {
    const { page, errors } = await openPage(browser, `${server.url}/preview`);
    await page.locator('#summary', { hasText: 'ALLOW' }).waitFor();
    expect(await page.locator('#rule-warnings').isHidden()).to.equal(true);

    const file = path.join(server.rulesDir, 'warned.yaml');
    await writeFile(
      file,
      'rules:\n  - id: deny-zero\n    description: d\n    appliesTo: [progressive.profile]\n    when: false\n    then:\n      deny:\n        message: No.\n        causes:\n          - { message: Here., location: data.userProfileUpdate.employeeNumber }\n',
    );
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    const warning = page.locator('#rule-warnings-list li');
    await warning.waitFor();
    expect(await warning.textContent()).to.match(/^warned\.yaml:10:\d+ cause location "data\.userProfileUpdate\.employeeNumber" is not data\.userProfile\.<attribute>/);
    expect(errors).to.deep.equal([]);
  });
});

describe('preview page in a browser: facts', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: PreviewServer;

  // One fact found in PGlite (cached), one that always fails: a write refused by the read-only session.
  const FACT_RULES = `facts:
  member:
    sql: SELECT plan, status, 'ann@example.com' AS email FROM members WHERE member_number = $1 AND birth_date = $2::date
    params: [{ var: profile.memberNumber }, { var: profile.birthDate }]
    database: MEMBERS_DB
    timeout: 2s
    cache: 5m
  visits:
    sql: SELECT nextval('visits') AS n WHERE $1::text IS NOT NULL
    params: [{ var: email }]
    database: MEMBERS_DB
    timeout: 2s
    onError: skip
rules:
  - id: member-plan
    description: a member's plan goes to the profile
    appliesTo: [self.service.registration]
    when: { var: facts.member }
    then: { update: { plan: { var: facts.member.plan } } }
  - id: too-many-visits
    description: refused after many visits
    appliesTo: [self.service.registration]
    when: { ">": [{ var: facts.visits.n }, 100] }
    then: { deny: { message: Too many visits. } }
`;

  before(async () => {
    browser = await launch();
    // Fact sources read the service's environment (its configuration).
    server = await startPreviewServer({ MEMBERS_DB: `pglite:memory?seed=${MEMBERS_SEED}` }, { 'members.yaml': FACT_RULES });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("lists each fact: its source, time, cache hit and masked value, or its failure and the onError applied", async () => {
    const { page, errors } = await openPage(browser, `${server.url}/preview`);
    await page.locator('#summary', { hasText: 'ALLOW' }).waitFor();
    const member = page.locator('#facts [data-fact="member"]');
    const visits = page.locator('#facts [data-fact="visits"]');

    // A member the cache has not seen: fetched from the database.
    const request = JSON.parse(await page.locator('#raw-json').inputValue());
    Object.assign(request.data.userProfile, { memberNumber: '1001', birthDate: '1990-04-01' });
    await page.locator('#raw-json').fill(JSON.stringify(request, null, 2));
    await member.filter({ hasText: '"plan":"[string]"' }).waitFor();
    expect(await page.locator('#facts-section').isVisible()).to.equal(true);
    expect(await member.locator('.badge').textContent()).to.equal('fetched');
    expect(await member.locator('.effect').textContent()).to.equal('sql:MEMBERS_DB');
    expect(await member.locator('.where').textContent()).to.match(/^\d+(\.\d)? ms$/);
    // Masked: every scalar of the fetched row (docs/facts.md, "Masked values").
    expect(await member.locator('.why code').textContent()).to.equal('{"plan":"[string]","status":"[string]","email":"[string]"}');
    expect(await page.locator('#facts').textContent()).not.to.include('ann@example.com');
    expect(await page.locator('#updates').textContent()).to.include('plan').and.include('"gold"').and.include('member-plan');

    // The failing fact: its kind and message, and the onError the rules reading it followed.
    expect(await visits.locator('.badge').textContent()).to.equal('failed');
    expect(await visits.locator('.effect').textContent()).to.equal('sql:MEMBERS_DB');
    expect(await visits.locator('.why').textContent()).to.equal('query_error: the query failed (SQLSTATE 25006 read_only_sql_transaction). onError skip applied.');
    expect(await page.locator('#trace [data-rule="too-many-visits"] .why').textContent()).to.equal('Not evaluated: fact visits failed (query_error), onError skip.');

    // The same member again (another attribute changed): answered from the cache.
    await page.locator('#attributes').getByLabel('firstName', { exact: true }).fill('Ann');
    await member.filter({ hasText: 'cache hit' }).waitFor();
    expect(await member.locator('.where').textContent()).to.match(/^\d+(\.\d)? ms · cache hit$/);
    expect(await member.locator('.why code').textContent()).to.equal('{"plan":"[string]","status":"[string]","email":"[string]"}');
    expect(await visits.locator('.where').textContent()).not.to.include('cache hit');
    await page.screenshot({ path: path.join(OUTPUT, 'preview-facts.png'), fullPage: true });
    expect(errors).to.deep.equal([]);
  });
});

describe('preview page in a browser: token samples', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: PreviewServer;
  let page: Page;
  let errors: string[];

  before(async () => {
    browser = await launch();
    server = await startPreviewServer({}, { 'token.yaml': TOKEN_RULES });
    ({ page, errors } = await openPage(browser, `${server.url}/preview`));
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(() => expect(errors, 'errors in the page').to.deep.equal([]));

  const summary = () => page.locator('#summary');
  const claim = (token: string, name: string) => page.locator(`#tokens table[data-token="${token}"] tr[data-claim="${name}"]`);
  const cells = async (token: string, name: string) => (await claim(token, name).locator('td').allTextContents()).map((text) => text.trim());
  const lifetime = (token: string) => page.locator(`#tokens tr[data-lifetime="${token}"]`);
  const rawJson = async () => JSON.parse(await page.locator('#raw-json').inputValue());

  it('picks the authorization-code sample: each token before and after, each change marked with its rule', async () => {
    await summary().filter({ hasText: 'ALLOW' }).waitFor();
    await page.getByLabel('Token (ID and access tokens)').check();
    await summary().filter({ hasText: 'ALLOW' }).filter({ hasText: 'token · ruleset' }).waitFor();
    expect(await page.locator('#sample option').allTextContents()).to.deep.equal([
      'Authorization code: a user signs in to an app (at /authorize)',
      "Refresh token: an app renews a user's tokens (at /token)",
      'Client credentials: a service gets an access token (no user, no ID token)',
    ]);
    expect(await page.locator('#attributes-part').isHidden(), 'no attribute form for tokens').to.equal(true);
    expect(await page.locator('#widget-part').isHidden(), 'no Sign-In Widget for tokens').to.equal(true);
    expect(await page.locator('#token-hint').isVisible()).to.equal(true);
    expect((await rawJson()).data.context.protocol.request.response_type).to.equal('code');

    // Access token: the tier added, firstName replaced, 15 minutes (127.0.0.1 is outside the office).
    expect(await cells('access', 'https://example.com/claims/tier')).to.deep.equal(['https://example.com/claims/tier', '(none)', '"gold"', 'added by rule tier-claim']);
    expect(await claim('access', 'https://example.com/claims/tier').getAttribute('class')).to.equal('claim claim--added');
    expect(await cells('access', 'firstName')).to.deep.equal(['firstName', '"Add-Min"', '"O\'Cloudy Tud"', 'replaced by rule tier-claim']);
    expect(await cells('access', 'cid')).to.deep.equal(['cid', '"customClientIdNative"', '"customClientIdNative"', '']);
    expect((await lifetime('access').locator('td').allTextContents()).map((t) => t.trim())).to.deep.equal([
      'lifetime', '3600 s (1 h)', '900 s (15 min)', 'changed by rule short-lived-outside-office',
    ]);
    // ID token: preferred_username removed, the locale added, the lifetime kept.
    expect(await cells('identity', 'preferred_username')).to.deep.equal(['preferred_username', '"administrator1@clouditude.net"', '(none)', 'removed by rule short-lived-outside-office']);
    expect(await claim('identity', 'preferred_username').getAttribute('class')).to.equal('claim claim--removed');
    expect(await cells('identity', 'locale')).to.deep.equal(['locale', '(none)', '"en"', 'added by rule tier-claim']);
    expect((await lifetime('identity').locator('td').allTextContents()).map((t) => t.trim())).to.deep.equal(['lifetime', '3600 s (1 h)', '3600 s (1 h)', '']);
    expect(await page.locator('#trace [data-rule="tier-claim"] .effect').textContent()).to.equal('patch');
    expect(await page.locator('#dropped').count()).to.equal(0);
    await page.screenshot({ path: path.join(OUTPUT, 'preview-token.png'), fullPage: true });
  });

  it('an edit to the request (an office address) is decided again: the lifetime and preferred_username stay', async () => {
    const request = await rawJson();
    request.data.context.request.ipAddress = '10.1.2.3';
    await page.locator('#raw-json').fill(JSON.stringify(request, null, 2));
    await lifetime('access').filter({ hasNotText: '900 s' }).waitFor();
    expect((await lifetime('access').locator('td').allTextContents()).map((t) => t.trim())).to.deep.equal(['lifetime', '3600 s (1 h)', '3600 s (1 h)', '']);
    expect(await cells('identity', 'preferred_username')).to.deep.equal(['preferred_username', '"administrator1@clouditude.net"', '"administrator1@clouditude.net"', '']);
    expect(await page.locator('#trace [data-rule="short-lived-outside-office"] .badge').textContent()).to.equal('did not match');
  });

  it('client credentials: no ID token, and the changes not sent, each with its rule and reason', async () => {
    await page.locator('#sample').selectOption({ label: 'Client credentials: a service gets an access token (no user, no ID token)' });
    await page.getByRole('button', { name: 'Load sample' }).click();
    await page.locator('#tokens [data-token="identity"].token-absent').waitFor();
    expect(await page.locator('#sample').inputValue(), 'the picker shows the sample loaded').to.equal('token-client-credentials');
    expect(await page.locator('#tokens [data-token="identity"]').textContent()).to.equal('ID token: this request does not mint one, so nothing is sent for it.');
    expect(await cells('access', 'https://example.com/claims/tier')).to.deep.equal(['https://example.com/claims/tier', '(none)', '"gold"', 'added by rule tier-claim']);
    expect(await page.locator('#dropped li').allTextContents()).to.deep.equal([
      'ID token: set locale (rule tier-claim): token-not-minted: this request mints no ID token (client credentials, or no openid scope), so Okta would refuse an ID-token patch',
      'access token: set firstName (rule tier-claim): null-value: the value is null: nothing is sent, and a later rule may set the claim',
    ]);
  });

  it('a rule edit that retires the client: the page shows the refusal and the tokens as minted, not issued', async () => {
    const file = path.join(server.rulesDir, 'token.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('retiredClients: [0oaRetiredClient]', 'retiredClients: [0oaRetiredClient, 0oaServiceClient00001]'));
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    await summary().filter({ hasText: 'DENY' }).filter({ hasText: 'decided by rule no-tokens-for-retired-apps' }).waitFor();
    expect(await page.locator('#token-refusal').textContent()).to.equal('No token is issued. Okta refuses the request; the client gets server_error with: This application has been retired.');
    expect(await page.locator('#tokens table[data-token="access"] caption').textContent()).to.equal('Access token as Okta minted it: not issued');
    expect(await cells('access', 'cid')).to.deep.equal(['cid', '"0oaServiceClient00001"']);
    expect(await page.locator('#tokens .mark').count()).to.equal(0);
    expect(await page.locator('#response').textContent()).to.include('"errorSummary": "This application has been retired."');
    await page.screenshot({ path: path.join(OUTPUT, 'preview-token-refused.png'), fullPage: true });
    await writeFile(file, original);
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    await summary().filter({ hasText: 'ALLOW' }).waitFor();
  });

  it('back to registration: the form and the widget return, the token view goes', async () => {
    await page.getByLabel('Self-service registration').check();
    await summary().filter({ hasText: 'ALLOW' }).filter({ hasText: 'self-service registration' }).waitFor();
    expect(await page.locator('#attributes-part').isVisible()).to.equal(true);
    expect(await page.locator('#widget .widget-card').isVisible()).to.equal(true);
    expect(await page.locator('#tokens').textContent()).to.equal('');
  });

  it('a folder of token rules only: the page opens on a token sample', async () => {
    const tokenOnly = await startPreviewServer({}, { 'token.yaml': TOKEN_RULES }, { defaultRules: false });
    try {
      const opened = await openPage(browser, `${tokenOnly.url}/preview`);
      await opened.page.locator('#summary').filter({ hasText: 'token · ruleset' }).waitFor();
      expect(await opened.page.getByLabel('Token (ID and access tokens)').isChecked()).to.equal(true);
      expect(await opened.page.locator('#sample').inputValue()).to.equal('token-authorization-code');
      expect(opened.errors).to.deep.equal([]);
      await opened.page.close();
    } finally {
      await tokenOnly.stop();
    }
  });
});
