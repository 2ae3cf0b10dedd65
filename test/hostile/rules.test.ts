import { readFileSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import { toOktaResponse } from '../../src/hooks/registration/index.js';
import { validateResponse } from '../../src/okta/validateRequest.js';
import { type LoadResult } from '../../src/rules/loadRuleset.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import type { OktaHookRequest } from '../../src/okta/types.js';
import { fixture } from '../helpers/fixtures.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { count, runs } from './support/budget.js';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';
import { anyJson, EVERY_TYPE, pathsOf, REMOVE, withPath } from './support/mutations.js';

// Whatever an admin (or an attacker with write access to the rules) puts in a rule file,
// loadRuleset resolves: either a ruleset that answers every request validly, or errors that
// each name the file and a line and column inside it. It never throws and never hangs.

const DEFAULT_FILES = ['rules/registration.yaml', 'rules/progressive-profile.yaml'].map((f) => readFileSync(f, 'utf8'));
const REQUESTS = [fixture<OktaHookRequest>('guide-ssr-request-2022.json'), fixture<OktaHookRequest>('guide-pp-request-2022.json')];

const YAML_PIECES = [
  'rules:', 'defaults:', 'lists:', 'description:', '- id: a', 'id:', 'when:', 'then:', 'allow: true', 'deny:', 'message: m', 'appliesTo:',
  '[self.service.registration]', 'progressive.profile', 'update:', 'updateFrom:', '{ var: email }', '{ matches: [x, "(a+)+$"] }', '{ in_list: [x, l] }',
  '- ', ': ', '  ', '    ', '\t', '\n', '\r\n', '{', '}', '[', ']', ',', '"', "'", '#', '&a', '*a', '*b', '<<: *a', '!!str', '!!binary', '!!js/function', '!<tag:x>',
  '---', '...', '%YAML 1.1', '%TAG ! x', '|', '>', '?', '@', '`', '\uFEFF', '\u0000', '\u202E', '\uD800', '~', 'null', '1e309', '0x1F', '.inf',
];

interface Checked {
  ok: boolean;
  errors: number;
}

/** Loads `text` as the only rule file and checks the result's shape; returns what happened. */
async function loadChecked(dir: string, text: string | Buffer): Promise<Checked> {
  const file = path.join(dir, 'r.yaml');
  await writeFile(file, text);
  const result: LoadResult = await loadHookRuleset(dir); // a rejection fails the property
  const lines = (typeof text === 'string' ? text : text.toString('utf8')).split(/\r\n|\r|\n/).length;
  if (result.ok) {
    // A ruleset that loads answers every request with a valid Okta answer.
    for (const request of REQUESTS) {
      const answer = toOktaResponse(evaluate(result.ruleset, registrationContext(request)), { decisionId: 'd' });
      const checked = validateResponse(answer);
      if (!checked.ok) throw new Error(`loaded ruleset gave an invalid answer: ${checked.problems.join('; ')}`);
    }
    return { ok: true, errors: 0 };
  }
  expect(result.errors.length).to.be.greaterThan(0);
  for (const error of result.errors) {
    expect(error.file, JSON.stringify(error)).to.equal(file);
    expect(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines + 1, `line of ${JSON.stringify(error)} in ${lines} lines`).to.equal(true);
    expect(Number.isInteger(error.column) && error.column >= 1, `column of ${JSON.stringify(error)}`).to.equal(true);
    expect(error.message).to.be.a('string').and.not.equal('');
  }
  return { ok: false, errors: result.errors.length };
}

describe('hostile rule files: the loader always resolves, with positioned errors', function () {
  this.timeout(60_000);
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => {
    ({ dir, remove } = await tempRulesDir({}));
  });
  after(() => remove());

  it('random text made of YAML pieces', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 60 }), async (pieces) => {
        count('rule files: YAML pieces');
        await loadChecked(dir, pieces.join(''));
      }),
      { numRuns: runs(80) },
    );
  });

  it('random text and random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a))), async (text) => {
        count('rule files: random text and bytes');
        await loadChecked(dir, text);
      }),
      { numRuns: runs(60) },
    );
  });

  it('random structures written as YAML', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyJson, fc.record({ rules: fc.array(fc.dictionary(fc.constantFrom('id', 'description', 'appliesTo', 'when', 'then', 'priority', 'disabled', 'x'), anyJson), { maxLength: 3 }) }, { requiredKeys: [] })), async (value) => {
        count('rule files: random structures');
        await loadChecked(dir, toYaml(value));
      }),
      { numRuns: runs(60) },
    );
  });

  for (const [index, text] of DEFAULT_FILES.entries()) {
    it(`the default rule file #${index + 1} with one path set to a random value or removed`, async () => {
      const base = parseYaml(text) as unknown;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...pathsOf(base)), fc.oneof(fc.constantFrom(...EVERY_TYPE, REMOVE), anyJson), async (at, value) => {
          count('rule files: default file with one path mutated');
          await loadChecked(dir, toYaml(withPath(base, at, value)));
        }),
        { numRuns: runs(80) },
      );
    });
  }

  describe('hand-picked nasties', () => {
    const head = 'rules:\n  - id: x\n    description: d\n    appliesTo: [self.service.registration]\n    then: { deny: { message: no } }\n    when: ';

    it('a YAML alias bomb ("billion laughs") is refused at the first alias', async () => {
      let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
      for (let i = 0; i < 8; i++) {
        const [p, n] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
        bomb += `${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]\n`;
      }
      const result = await loadHookRuleset((await writeRules(dir, bomb)).dir);
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.errors).to.have.length(1);
      expect(result.errors[0]).to.include({ line: 2, column: 8 });
      expect(result.errors[0]!.message).to.match(/^YAML: Excessive alias count/);
      // The same bomb inside a condition.
      expect((await loadChecked(dir, head + '\n' + bomb.replace(/^/gm, '      '))).ok).to.equal(false);
    });

    it('a few aliases are fine (the limit is on expansion, not on use)', async () => {
      const text = 'lists:\n  staff: &staff [a@example.com, b@example.com]\n  admins: *staff\nrules: []\n';
      expect(await loadChecked(dir, text)).to.deep.equal({ ok: true, errors: 0 });
    });

    it('tabs as indentation, a BOM, CRLF line endings, NUL bytes, several documents', async () => {
      const valid = DEFAULT_FILES[0]!;
      const tab = await loadHookRuleset((await writeRules(dir, 'rules:\n\t- id: x\n')).dir);
      expect(tab.ok ? [] : tab.errors.map((e) => [e.line, e.column, e.message])).to.deep.equal([[2, 1, 'YAML: Tabs are not allowed as indentation']]);
      expect((await loadChecked(dir, '\uFEFF' + valid)).ok).to.equal(true);
      expect((await loadChecked(dir, valid.replace(/\n/g, '\r\n'))).ok).to.equal(true);
      expect((await loadChecked(dir, valid + '\n\u0000\n')).ok).to.equal(false);
      expect((await loadChecked(dir, valid + '\n---\n' + valid)).ok).to.equal(false);
    });

    it('binary garbage and tags that other loaders would execute', async () => {
      const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
      expect((await loadChecked(dir, garbage)).ok).to.equal(false);
      // yaml never constructs code, and the rule format uses no tags: every one is refused at
      // its position (an unquoted "!=:" is read as one), so nothing runs and nothing loads.
      for (const tagged of ['!!js/function "function () { process.exit(1) }"', '!!python/object/apply:os.system ["true"]', '!<tag:yaml.org,2002:js/undefined> ""', '!!binary aGVsbG8=']) {
        const text = head + tagged + '\n';
        await loadChecked(dir, text);
        const result = await loadHookRuleset(dir);
        expect(result.ok, tagged).to.equal(false);
        if (!result.ok) expect(result.errors[0]!.message, tagged).to.match(/^YAML tag ".+" is not part of the rule format/);
      }
    });

    it('a huge file: 2 MB in one string, and 1,000 rules', async () => {
      expect((await loadChecked(dir, `description: "${'x'.repeat(2_000_000)}"\nrules: []\n`)).ok).to.equal(true);
      const many = 'rules:\n' + Array.from({ length: 1000 }, (_, i) => `  - id: r${i}\n    description: d\n    appliesTo: [self.service.registration]\n    when: { "==": [{ var: email }, "u${i}@example.com"] }\n    then: { allow: true }\n`).join('');
      expect((await loadChecked(dir, many)).ok).to.equal(true);
    });

    it('deeply nested logic: loads and answers when moderate, refused with a position when extreme', async () => {
      for (const depth of [50, 300]) {
        expect((await loadChecked(dir, head + '{"!": '.repeat(depth) + 'true' + '}'.repeat(depth) + '\n')).ok, `depth ${depth}`).to.equal(true);
      }
      for (const text of ['['.repeat(5000) + ']'.repeat(5000), '{"and": ['.repeat(3000) + 'true' + ']}'.repeat(3000)]) {
        const result = await loadChecked(dir, head + text + '\n');
        expect(result.ok).to.equal(false);
      }
    });

    it('an unknown operator deep inside a condition is reported at its key', async () => {
      const text = `${head}\n      and:\n        - or:\n            - "!":\n                - { bogus: [1, 2] }\n`;
      const result = await loadHookRuleset((await writeRules(dir, text)).dir);
      expect(result.ok ? [] : result.errors.map((e) => [e.line, e.column, e.message])).to.deep.equal([[10, 21, 'unknown operator "bogus"']]);
    });

    it('patterns that are catastrophic for backtracking engines load (RE2 is linear); RE2-only syntax is refused at the pattern', async () => {
      for (const pattern of ['^(a+)+$', '(a|aa)+$', '(.*a){12}', '^(\\w+\\s?)*$', '(x+x+)+y', '^(([a-z])+.)+[A-Z]([a-z])+$']) {
        expect((await loadChecked(dir, `${head}{ matches: [{ var: email }, ${JSON.stringify(pattern)}] }\n`)).ok, pattern).to.equal(true);
      }
      for (const pattern of ['(a)\\1', '(?=a)', '(?<!a)b', 'a{1001}', '((a{100}){100}){100}', '(']) {
        const result = await loadHookRuleset((await writeRules(dir, `${head}{ matches: [{ var: email }, ${JSON.stringify(pattern)}] }\n`)).dir);
        expect(result.ok ? [] : result.errors.map((e) => [e.line, e.column]), pattern).to.deep.equal([[6, 39]]);
        if (!result.ok) expect(result.errors[0]!.message).to.match(/^invalid regular expression/);
      }
    });

    it('an empty file is an error (a save caught half-way must not go live as "no rules"); a comment-only file is fine', async () => {
      expect(await loadChecked(dir, '')).to.deep.equal({ ok: false, errors: 1 });
      expect(await loadChecked(dir, '  \n\n')).to.deep.equal({ ok: false, errors: 1 });
      expect(await loadChecked(dir, '# nothing here yet\n')).to.deep.equal({ ok: true, errors: 0 });
    });

    it('a rule file that cannot be read is an error at file:1:1, not a rejected promise', async function () {
      // /proc/self/mem is a regular file to stat() but fails every read (EIO): the same path the
      // loader takes when an editor or a ConfigMap swap removes a file between listing and reading.
      if (process.platform !== 'linux') this.skip();
      const tmp = await tempRulesDir({ 'a.yaml': 'rules: []\n' });
      try {
        await symlink('/proc/self/mem', path.join(tmp.dir, 'b.yaml'));
        const result = await loadHookRuleset(tmp.dir);
        expect(result.ok ? [] : result.errors.map((e) => [path.basename(e.file), e.line, e.column, e.message.split(':')[0]])).to.deep.equal([['b.yaml', 1, 1, 'cannot read rule file']]);
      } finally {
        await tmp.remove();
      }
    });
  });
});

describe('regular expressions cannot be turned into a denial of service (re2js, linear time)', function () {
  this.timeout(60_000);
  let hostile: HostileServer;
  const rules = `rules:
  - id: catastrophic-email
    description: exponential for a backtracking engine on "aaaa…!"
    appliesTo: [self.service.registration]
    when: { matches: [{ var: email }, "^(a+)+$"] }
    then: { deny: { message: no } }
  - id: catastrophic-name
    description: exponential for a backtracking engine on "a a a …!"
    appliesTo: [self.service.registration]
    when: { matches: [{ var: submitted.firstName }, "^(\\\\w+\\\\s?)*$"] }
    then: { deny: { message: no } }
`;
  before(async () => {
    hostile = await startHostileServer({}, { 'dos.yaml': rules });
  });
  after(async () => {
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  it('a 50,000-character email against ^(a+)+$ is answered (a backtracking engine would never finish)', async () => {
    const email = 'a'.repeat(50_000) + '!';
    const answer = await hostile.expectAnswer(JSON.stringify({ data: { userProfile: { email, firstName: '-' } } }), 200);
    expect(JSON.parse(answer.text).debugContext.decision).to.equal('ALLOW');
    const matching = await hostile.expectAnswer(JSON.stringify({ data: { userProfile: { email: 'a'.repeat(50_000) } } }), 200);
    expect(JSON.parse(matching.text).debugContext.decidedBy).to.equal('rule:catastrophic-email');
  });

  it('a 50,000-character name against ^(\\w+\\s?)*$ is answered', async () => {
    const firstName = 'a '.repeat(25_000) + '!';
    const answer = await hostile.expectAnswer(JSON.stringify({ data: { userProfile: { email: 'x@example.com', firstName } } }), 200);
    expect(JSON.parse(answer.text).debugContext.decision).to.equal('ALLOW');
  });
});

async function writeRules(dir: string, text: string): Promise<{ dir: string }> {
  await writeFile(path.join(dir, 'r.yaml'), text);
  return { dir };
}
