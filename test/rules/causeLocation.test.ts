import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { startServer } from '../../src/server/server.js';
import { runCli } from '../helpers/runCli.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { LogSink } from '../production/appServer.js';

// The bad locations are on lines 7 (a default) and 18 (a rule, column 13).
const RULES = `description: deny causes and where the widget shows them
defaults:
  self.service.registration:
    deny:
      message: Not now.
      causes:
        - { message: Elsewhere., location: data.context.request }
rules:
  - id: deny-progressive-wrong-path
    description: A cause aimed at the progressive-profile body, which the widget does not place.
    appliesTo: [progressive.profile]
    when: { "==": [{ var: profile.employeeNumber }, "0"] }
    then:
      deny:
        message: Not that number.
        causes:
          - message: Use your real employee number.
            location: data.userProfileUpdate.employeeNumber
          - message: A field it can place.
            location: data.userProfile.employeeNumber
          - message: No location, shown as a general message.
`;

describe('deny causes whose location the Sign-In Widget cannot place', function () {
  this.timeout(20_000);
  let rules: Awaited<ReturnType<typeof tempRulesDir>>;
  before(async () => (rules = await tempRulesDir({ 'causes.yaml': RULES })));
  after(() => rules.remove());

  it('load, with one warning each, at the location, for rules and defaults alike', async () => {
    const loaded = await loadHookRuleset(rules.dir);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const warnings = loaded.ruleset.warnings.map((w) => ({ line: w.line, message: w.message }));
    expect(warnings).to.deep.equal([
      { line: 7, message: 'cause location "data.context.request" is not data.userProfile.<attribute>: the Sign-In Widget shows this cause at no field' },
      { line: 18, message: 'cause location "data.userProfileUpdate.employeeNumber" is not data.userProfile.<attribute>: the Sign-In Widget shows this cause at no field' },
    ]);
    expect(loaded.ruleset.warnings[1]!.column).to.equal(13);
  });

  it('the default rules have none', async () => {
    const loaded = await loadHookRuleset('rules');
    expect(loaded.ok && loaded.ruleset.warnings).to.deep.equal([]);
  });

  it('hook-rules validate prints them and exits 0; --strict makes them errors (exit 3)', async () => {
    const plain = await runCli(['validate', rules.dir]);
    expect(plain.code).to.equal(0);
    expect(plain.stdout).to.match(/^ok: 1 rule in 1 file; version [0-9a-f]{12} \(2 warnings\)\n$/);
    expect(plain.stderr).to.match(new RegExp(`${rules.dir}/causes\\.yaml:18:13: warning: cause location "data\\.userProfileUpdate\\.employeeNumber"`));
    expect(plain.stderr).to.match(new RegExp(`${rules.dir}/causes\\.yaml:7:\\d+: warning: cause location "data\\.context\\.request"`));
    // Once each, in one format: file:line:column: warning: message.
    const stderrLines = plain.stderr.split('\n').filter(Boolean);
    expect(stderrLines).to.have.length(2);
    expect(stderrLines.every((line) => line.startsWith(`${rules.dir}/causes.yaml:`))).to.equal(true);

    const strict = await runCli(['validate', '--strict', rules.dir]);
    expect(strict.code).to.equal(3);
    expect(strict.stdout).to.equal('');
    expect(strict.stderr).to.match(/causes\.yaml:18:13: cause location/);
    expect(strict.stderr).to.include('2 errors (warnings count as errors with --strict)');
  });

  it('serve logs each one as a warning, once, and serves the rules', async () => {
    const sink = new LogSink();
    const server = await startServer(loadConfig({ RULES_DIR: rules.dir, HOST: '127.0.0.1', PORT: '0' }), createLogger('info', sink));
    try {
      const lines = sink.lines.filter((line) => line.event === 'rules-warning');
      expect(lines.map((line) => line.level)).to.deep.equal([40, 40]);
      expect(sink.lines.filter((line) => String(line.msg).includes('cause location'))).to.have.length(2);
      expect(String(lines[1]!.at)).to.match(/causes\.yaml:18:13: cause location "data\.userProfileUpdate\.employeeNumber"/);
      // Each warning once: no second line in another format.
      const mentions = sink.lines.filter((line) => JSON.stringify(line).includes('cause location'));
      expect(mentions).to.have.length(2);
    } finally {
      await server.close();
    }
  });
});
