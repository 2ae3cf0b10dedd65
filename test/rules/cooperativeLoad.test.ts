import { expect } from 'chai';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { LIST_CHUNK } from '../../src/rules/cooperative.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { parseListText } from '../../src/rules/listSources.js';
import type { PathSegment } from '../../src/language/position.js';
import { parseYamlFile, parseYamlFileCooperatively } from '../../src/rules/parseYamlFile.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { register } from '../helpers/hookClient.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

const BLOCK_RULE = `
rules:
  - id: block
    description: block listed domains
    appliesTo: [self.service.registration]
    when: { in_list: [{ var: emailDomain }, blocked] }
    then: { deny: { message: blocked } }
`;

const domains = (count: number) => Array.from({ length: count }, (_, i) => `d${i}.example`);

/** Runs `work` while counting turns of the event loop (a setImmediate that re-arms itself). */
async function countTurns<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    turns++;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    return { result: await work(), turns };
  } finally {
    running = false;
  }
}

describe('cooperative loading: big lists and rule files share the event loop', () => {
  const rules = tempRulesPerTest();

  // Counted around the parsing steps alone: no file I/O, so every turn is one the loader gave.
  it('builds a list from a text file with a turn of the event loop every LIST_CHUNK lines', async () => {
    const lines = 60_000;
    const text = `# generated\n${domains(lines).join('\n')}\n`;
    const { result, turns } = await countTurns(() => parseListText(text, '/r/blocked.txt', 'blocked.txt', 'domains', 'file:blocked.txt'));
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(result.source.entries.size).to.equal(lines);
    expect(result.source.entries.has('d59999.example')).to.equal(true);
    expect(turns).to.be.at.least(20); // LIST_CHUNK is 2,000: 30 turns
  });

  it('does the same for a JSON list file, and still reports bad entries with their position', async () => {
    const list = domains(20_000);
    list[10_003] = 'http://bad.example/';
    const { result, turns } = await countTurns(() => parseListText(JSON.stringify(list), '/r/blocked.json', 'blocked.json', 'domains', 'file:blocked.json'));
    expect(turns).to.be.at.least(5);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.errors!.map((e) => [e.line, e.message])).to.deep.equal([[10_004, '"http://bad.example/" is not a plain domain name (no URLs, ports or wildcards: sub-domains match anyway)']]);
  });

  it('parses a big rule file with a turn of the event loop every YAML_CHUNK tokens', async () => {
    // An inline list of 4,000 entries: more than 8,000 tokens (entry, separator, space).
    const text = `lists:\n  blocked: { kind: domains, values: [${domains(4000).join(', ')}] }\n${BLOCK_RULE}`;
    const { result, turns } = await countTurns(() => parseYamlFileCooperatively('rules.yaml', text));
    expect(result.ok).to.equal(true);
    expect(turns).to.be.at.least(8); // YAML_CHUNK is 500: 16 turns or more
  });

  it('loads a list file of the size LIST_CHUNK is meant for through loadRuleset', async () => {
    const t = await rules({
      'rules.yaml': `lists:\n  blocked: { kind: domains, file: lists/blocked.txt }\n${BLOCK_RULE}`,
      'lists/blocked.txt': `${domains(3 * LIST_CHUNK + 1).join('\n')}\nmailinator.com`,
    });
    const loaded = await loadHookRuleset(t.dir);
    expect(loaded.ok).to.equal(true);
    if (loaded.ok) expect(loaded.ruleset.lists.get('blocked')!.size).to.equal(3 * LIST_CHUNK + 2);
  });

  describe('parseYamlFileCooperatively gives what parseYamlFile gives', () => {
    const cases: Record<string, string> = {
      rules: `description: x\nlists:\n  a: [one, two]\n  b: { kind: domains, values: [x.test] }\n${BLOCK_RULE}`,
      'flow JSON': JSON.stringify({ rules: [{ id: 'r', when: { '==': [1, 1] }, then: { allow: true } }] }, null, 1),
      'anchors and aliases': 'base: &b { a: 1 }\nother: *b\nlist: [*b, *b]\n',
      'CRLF line ends': 'a: 1\r\nb:\r\n  - x\r\n  - y\r\n',
      empty: '',
      'comments only': '# nothing\n',
      'duplicate key': 'a: 1\na: 2\n',
      'syntax error': 'a: [1, 2\nb: 3\n',
      'bad indentation': 'a:\n  b: 1\n c: 2\n',
      'two documents': 'a: 1\n---\nb: 2\n',
      'tab indentation': 'a:\n\tb: 1\n',
    };
    const paths: Array<[PathSegment[], string?]> = [[[]], [['rules', 0]], [['rules', 0, 'when']], [['lists'], 'b'], [['lists', 'a', 1]], [['b', 1]], [['missing', 'deeper']], [['rules'], 'nope']];
    for (const [name, text] of Object.entries(cases)) {
      it(name, async () => {
        const expected = parseYamlFile('f.yaml', text);
        const actual = await parseYamlFileCooperatively('f.yaml', text);
        expect(actual.ok).to.equal(expected.ok);
        if (!expected.ok || !actual.ok) {
          expect(actual).to.deep.equal(expected);
          return;
        }
        expect(actual.parsed.value).to.deep.equal(expected.parsed.value);
        for (const [path, key] of paths) expect(actual.parsed.positionOf(path, key), JSON.stringify([path, key])).to.deep.equal(expected.parsed.positionOf(path, key));
      });
    }
  });

  describe('a reload of a 100,000-entry list in a serving process', () => {
    let running: RunningServer | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it('keeps answering requests while it runs, each wholly by the old version, then by the new one', async () => {
      const t = await rules({ 'rules.yaml': `lists:\n  blocked: { kind: domains, file: blocked.txt }\n${BLOCK_RULE}`, 'blocked.txt': 'mailinator.com\n' });
      const sink = new Writable({ write: (_chunk, _enc, done) => done() });
      running = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', RULES_DIR: t.dir }), createLogger('info', sink));
      const old = await register(running.url, 'a@d99999.example');
      expect(old.decision).to.equal('ALLOW');

      await t.write('blocked.txt', `mailinator.com\n${domains(100_000).join('\n')}\n`);
      let done = false;
      const reloading = running.reloader.reload('test').then((outcome) => {
        done = true;
        return outcome;
      });
      const during: Array<{ decision: string; version: string }> = [];
      while (!done) {
        const answer = await register(running.url, 'a@d99999.example');
        if (!done) during.push({ decision: answer.decision, version: answer.version });
      }
      const outcome = await reloading;
      expect(outcome.status).to.equal('swapped');
      // Answered while the reload was still running (no time measured: the order says it). That
      // the parsing itself yields is shown above; here, that a request never sees half a swap.
      expect(during.length).to.be.at.least(5);
      for (const answer of during) expect(answer).to.deep.equal({ decision: 'ALLOW', version: old.version });
      const after = await register(running.url, 'a@d99999.example');
      expect(after.decision).to.equal('DENY');
      expect(after.version).to.not.equal(old.version);
    });
  });
});
