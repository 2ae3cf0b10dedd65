import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { compileLogic } from '../../src/engine/logic.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

type Case = [rule: unknown, data: unknown, expected: unknown];

const suite = JSON.parse(readFileSync(path.resolve(PACKAGE_ROOT, 'test', 'fixtures', 'jsonlogic', 'tests.json'), 'utf8')) as Array<string | Case>;
const cases = suite.filter((entry): entry is Case => Array.isArray(entry));

describe('JsonLogic conformance suite (test/fixtures/jsonlogic/tests.json)', () => {
  it('has all 280 cases', () => {
    expect(cases).to.have.length(280);
  });

  let heading = '';
  for (const entry of suite) {
    if (typeof entry === 'string') {
      heading = entry.replace(/^#\s*/, '');
      continue;
    }
    const [rule, data, expected] = entry;
    it(`${heading}: ${JSON.stringify(rule)} with ${JSON.stringify(data)}`, () => {
      expect(compileLogic(rule).run(data as object)).to.deep.equal(expected);
    });
  }
});
