import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { eventually, register } from '../helpers/hookClient.js';
import { denyDomainRules, tempRules } from '../helpers/tempRules.js';

async function versionOf(dir: string): Promise<string> {
  const loaded = await loadHookRuleset(dir);
  if (!loaded.ok) throw new Error('expected a valid ruleset');
  return loaded.ruleset.version;
}

describe('hot reload against a running server (real file events)', () => {
  let running: RunningServer | undefined;
  let logs: string[];
  const cleanups: Array<() => Promise<void>> = [];

  async function serve(dir: string, env: Record<string, string> = {}): Promise<RunningServer> {
    logs = [];
    const sink = new Writable({ write: (chunk, _enc, done) => { logs.push(String(chunk)); done(); } });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', RULES_DIR: dir, RULES_WATCH: '1', RULES_WATCH_DEBOUNCE_MS: '50', ...env });
    running = await startServer(config, createLogger('info', sink));
    await running.reloader.ready;
    return running;
  }

  /** Waits until the server answers with the version the folder holds now. */
  async function live(dir: string): Promise<string> {
    const expected = await versionOf(dir);
    return eventually(async () => ((await register(running!.url, 'a@probe.test')).version === expected ? expected : undefined), `version ${expected}`);
  }

  afterEach(async () => {
    await running?.close();
    running = undefined;
    while (cleanups.length) await cleanups.pop()!();
  });

  it('says it is watching only once an edit would be seen: an edit made as the line is written goes live', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test', 'deny-a') });
    cleanups.push(t.cleanup);
    logs = [];
    // The edit is made the moment the line is written (synchronously, inside the log write):
    // the earliest an operator, or a test driving the real process, could act on it.
    const edit = denyDomainRules('two.test', 'deny-a');
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        logs.push(String(chunk));
        if (String(chunk).includes('"msg":"watching rules for changes"')) writeFileSync(path.join(t.dir, 'a.yaml'), edit);
        done();
      },
    });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', RULES_DIR: t.dir, RULES_WATCH: '1', RULES_WATCH_DEBOUNCE_MS: '10' });
    running = await startServer(config, createLogger('info', sink));
    await eventually(async () => (logs.some((line) => line.includes('"msg":"watching rules for changes"')) ? true : undefined), 'the watching line');
    await live(t.dir);
    expect((await register(running.url, 'x@two.test')).decision).to.equal('DENY');
  });

  it('picks up a changed file, an added file and a deleted file', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test', 'deny-a') });
    cleanups.push(t.cleanup);
    const { url } = await serve(t.dir);
    const v1 = (await register(url, 'x@one.test')).version;
    expect((await register(url, 'x@one.test')).decision).to.equal('DENY');

    await t.write('a.yaml', denyDomainRules('two.test', 'deny-a'));
    const v2 = await live(t.dir);
    expect(v2).to.not.equal(v1);
    expect((await register(url, 'x@one.test')).decision).to.equal('ALLOW');
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');

    await t.write('sub/b.yaml', denyDomainRules('three.test', 'deny-b'));
    await live(t.dir);
    expect((await register(url, 'x@three.test')).decision).to.equal('DENY');

    await rm(path.join(t.dir, 'sub/b.yaml'));
    await live(t.dir);
    expect((await register(url, 'x@three.test')).decision).to.equal('ALLOW');
    expect(logs.join('')).to.include('rules reloaded: now serving');
  });

  it("follows an editor's atomic save (temp file renamed over the rule file)", async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const { url } = await serve(t.dir);
    await writeFile(path.join(t.dir, '.a.yaml.swp'), denyDomainRules('two.test'));
    await rename(path.join(t.dir, '.a.yaml.swp'), path.join(t.dir, 'a.yaml'));
    await live(t.dir);
    expect((await register(url, 'x@one.test')).decision).to.equal('ALLOW');
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');
  });

  it('follows a Kubernetes ConfigMap update (the ..data symlink swapped to a new folder)', async () => {
    const t = await tempRules();
    cleanups.push(t.cleanup);
    // The layout the kubelet makes: files are symlinks through ..data to a timestamped folder.
    await t.write('..2024_01_01_00_00_00.1/rules.yaml', denyDomainRules('one.test'));
    await symlink('..2024_01_01_00_00_00.1', path.join(t.dir, '..data'));
    await symlink('..data/rules.yaml', path.join(t.dir, 'rules.yaml'));
    const { url } = await serve(t.dir);
    expect((await register(url, 'x@one.test')).decision).to.equal('DENY');

    // The kubelet's update: new folder, new ..data_tmp link renamed over ..data, old folder removed.
    await t.write('..2024_01_02_00_00_00.2/rules.yaml', denyDomainRules('two.test'));
    await symlink('..2024_01_02_00_00_00.2', path.join(t.dir, '..data_tmp'));
    await rename(path.join(t.dir, '..data_tmp'), path.join(t.dir, '..data'));
    await rm(path.join(t.dir, '..2024_01_01_00_00_00.1'), { recursive: true });

    await live(t.dir);
    expect((await register(url, 'x@one.test')).decision).to.equal('ALLOW');
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');
  });

  it('keeps the last good ruleset through an invalid edit, logs file:line:column, then serves the fix', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const { url, store } = await serve(t.dir);
    const good = (await register(url, 'x@one.test')).version;
    const rejected = new Promise((resolve) => store.once('rejected', resolve));

    await t.write('a.yaml', denyDomainRules('two.test').replace('when:', 'whn:'));
    await rejected;
    const during = await register(url, 'x@one.test');
    expect(during.version).to.equal(good);
    expect(during.decision).to.equal('DENY');
    expect(logs.join('')).to.match(new RegExp(`${t.dir.replace(/[/\\]/g, '.')}.a\\.yaml:\\d+:\\d+: rule \\\\"deny-domain\\\\" \\(\\S+a\\.yaml:2:5\\): unknown property \\\\"whn\\\\" \\(did you mean \\\\"when\\\\"\\?\\)`));
    expect(logs.join('')).to.include(`still serving ${good}`);

    await t.write('a.yaml', denyDomainRules('two.test'));
    const fixed = await live(t.dir);
    expect(fixed).to.not.equal(good);
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');
    expect(store.loadErrors()).to.deep.equal([]);
  });

  it('refuses a hot-reloaded rule with an unquoted "!=" (a YAML tag): the last good rules serve, /readyz says why', async () => {
    // Quoted, "!=" denies every domain but allowed.test; unquoted, YAML reads "!=" as a tag and
    // `when` becomes a list, which JSON-Logic takes as true: it would deny everyone.
    const rule = (key: string) => `rules:
  - id: deny-others
    description: only allowed.test may register
    appliesTo: [self.service.registration]
    when:
      ${key}: [{ var: emailDomain }, allowed.test]
    then: { deny: { message: no } }
`;
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const { url, store } = await serve(t.dir);
    const good = (await register(url, 'x@one.test')).version;
    const readyz = async () => (await fetch(`${url}/readyz`)).json() as Promise<Record<string, any>>;
    expect((await readyz()).lastReloadFailure).to.equal(undefined);

    const rejected = new Promise((resolve) => store.once('rejected', resolve));
    const before = Date.now();
    await t.write('a.yaml', rule('!='));
    await rejected;
    expect((await register(url, 'x@allowed.test')).decision).to.equal('ALLOW');
    expect((await register(url, 'x@one.test')).version).to.equal(good);
    const error = store.loadErrors()[0]!;
    expect(error).to.include({ line: 6, column: 7 });
    expect(error.message).to.include('quote the key: "!=":');

    const response = await fetch(`${url}/readyz`);
    expect(response.status).to.equal(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body.status).to.equal('ready');
    expect(body.rulesetVersion).to.equal(good);
    expect(body.lastReloadFailure.files).to.deep.equal(['a.yaml']);
    expect(body.lastReloadFailure.errorCount).to.equal(1);
    expect(body.lastReloadFailure.firstErrors[0]).to.match(/^a\.yaml:6:7: YAML read "!=" as a tag/);
    expect(Date.parse(body.lastReloadFailure.at)).to.be.at.least(before - 1000);
    const line = logs.map((text) => JSON.parse(text) as Record<string, any>).find((entry) => entry.event === 'rules-reload-rejected');
    expect(line?.files).to.deep.equal(['a.yaml']);
    expect(line?.firstErrors).to.deep.equal(body.lastReloadFailure.firstErrors);

    await t.write('a.yaml', rule('"!="'));
    await live(t.dir);
    expect((await register(url, 'x@one.test')).decision).to.equal('DENY');
    expect((await register(url, 'x@allowed.test')).decision).to.equal('ALLOW');
    expect((await readyz()).lastReloadFailure).to.equal(undefined);
  });

  it('with RULES_RELOAD_REQUIRE_TESTS=1, a reload whose rules fail the suites beside them does not go live', async () => {
    const suite = `tests:
  - name: one.test is denied
    request: { profile: { email: x@one.test } }
    expect: { decision: deny }
`;
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test'), 'a.test.yaml': suite });
    cleanups.push(t.cleanup);
    const { url, store } = await serve(t.dir, { RULES_RELOAD_REQUIRE_TESTS: '1' });
    const good = (await register(url, 'x@one.test')).version;

    // Valid rules, but they no longer deny one.test: the suite fails, so they are refused.
    const rejected = new Promise((resolve) => store.once('rejected', resolve));
    await t.write('a.yaml', denyDomainRules('two.test'));
    await rejected;
    expect((await register(url, 'x@one.test')).version).to.equal(good);
    const [error] = store.loadErrors();
    expect(error!.file).to.equal(path.join(t.dir, 'a.test.yaml'));
    expect(error!.message).to.equal('rule test "one.test is denied" fails with the new rules: decision: expected deny, got allow');
    const body = (await (await fetch(`${url}/readyz`)).json()) as Record<string, any>;
    expect(body.lastReloadFailure.files).to.deep.equal(['a.test.yaml']);

    // Rules that keep the suite passing go live.
    await t.write('a.yaml', denyDomainRules('one.test') + denyDomainRules('two.test', 'deny-two').replace('rules:\n', ''));
    await live(t.dir);
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');
    expect(store.loadErrors()).to.deep.equal([]);
  });

  it('reloads list files with the rules', async () => {
    const t = await tempRules({
      'a.yaml': `lists:\n  blocked: { kind: domains, file: lists/blocked.txt }\nrules:\n  - id: block\n    description: b\n    appliesTo: [self.service.registration]\n    when: { in_list: [{ var: email }, blocked] }\n    then: { deny: { message: no } }\n`,
      'lists/blocked.txt': 'one.test\n',
    });
    cleanups.push(t.cleanup);
    const { url } = await serve(t.dir);
    expect((await register(url, 'x@two.test')).decision).to.equal('ALLOW');
    await t.write('lists/blocked.txt', 'one.test\ntwo.test\n');
    await live(t.dir);
    expect((await register(url, 'x@sub.two.test')).decision).to.equal('DENY');
  });

  it('does not swap when the content is unchanged', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const { reloader, store } = await serve(t.dir, { RULES_WATCH: '0' });
    let swaps = 0;
    store.on('swapped', () => swaps++);
    await t.write('a.yaml', denyDomainRules('one.test'));
    expect(await reloader.reload('test')).to.deep.include({ status: 'unchanged' });
    await t.write('a.yaml', denyDomainRules('two.test'));
    expect(await reloader.reload('test')).to.deep.include({ status: 'swapped' });
    expect(swaps).to.equal(1);
  });

  it('clears the errors when a bad edit is undone, though the version is the same', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const { reloader, store } = await serve(t.dir, { RULES_WATCH: '0' });
    await t.write('a.yaml', 'rules: [{ id: x }]\n');
    expect(await reloader.reload('test')).to.deep.include({ status: 'rejected' });
    expect(store.loadErrors()).to.have.length.greaterThan(0);
    await t.write('a.yaml', denyDomainRules('one.test'));
    expect(await reloader.reload('test')).to.deep.include({ status: 'unchanged' });
    expect(store.loadErrors()).to.deep.equal([]);
    expect(logs.join('')).to.include('rules valid again; still serving');
  });

  it('polls when asked to (RULES_WATCH_POLL_MS), for mounts without file events', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const { url } = await serve(t.dir, { RULES_WATCH_POLL_MS: '100' });
    await t.write('a.yaml', denyDomainRules('two.test'));
    await live(t.dir);
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');
  });
});
