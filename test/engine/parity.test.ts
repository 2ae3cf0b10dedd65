import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import jsonLogic from 'json-logic-js';
import { compileLogic as compile, type CompiledLogic } from '../../src/engine/logic.js';
import { compilePattern, CUSTOM_OPERATIONS, inList, matchesPattern, patternKey, type OperatorScope } from '../../src/engine/operators.js';
import { NamedList } from '../../src/rules/lists.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { customCases, parityCases, type ParityCase } from './parityCases.js';

/** What an engine gave: the value (NaN and undefined spelled out), or that it threw. */
function outcome(fn: () => unknown): string {
  try {
    const value = fn();
    if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
    if (value === undefined) return 'undefined';
    return `value ${JSON.stringify(value, (_k, v: unknown) => (v === undefined ? '__undefined__' : v))}`;
  } catch (error) {
    return `throws ${(error as Error).message ?? String(error)}`;
  }
}

function expectParity(cases: ParityCase[], compileLogic: (logic: unknown) => CompiledLogic = compile): void {
  const differences: string[] = [];
  for (const { logic, data } of cases) {
    const reference = outcome(() => jsonLogic.apply(logic as jsonLogic.RulesLogic, data));
    const compiled = outcome(() => compileLogic(logic).run(data as object));
    if (reference !== compiled) differences.push(`${JSON.stringify(logic)} on ${JSON.stringify(data)}: json-logic-js ${reference}, compiled ${compiled}`);
  }
  expect(differences, differences.slice(0, 10).join('\n')).to.deep.equal([]);
}

const SHARED = process.env.JSONLOGIC_TESTS ?? path.resolve(PACKAGE_ROOT, 'test/fixtures/jsonlogic/tests.json');

describe('compiled JSON-Logic gives what json-logic-js gives', () => {
  it('on the JsonLogic conformance suite (280 cases), matching its expected results too', () => {
    const suite = (JSON.parse(readFileSync(SHARED, 'utf8')) as unknown[]).filter(Array.isArray) as Array<[unknown, unknown, unknown]>;
    expect(suite).to.have.length(280);
    for (const [logic, data, expected] of suite) {
      expect(compile(logic).run(data as object), JSON.stringify(logic)).to.deep.equal(expected);
    }
    expectParity(suite.map(([logic, data]) => ({ logic, data })));
  });

  it('on every comparison and arithmetic operator over awkward values, truthiness, var, missing, iteration', () => {
    const cases = parityCases();
    expect(cases.length).to.be.greaterThan(3000);
    expectParity(cases);
  });

  it('on unknown and dotted operations and log (delegated: same errors)', () => {
    expectParity([
      { logic: { nope: [1] } },
      { logic: { toString: [] } },
      { logic: { 'Math.abs': [-1] } },
      { logic: { '==.x': [1, 1] } },
      { logic: { if: [false, { nope: 1 }, 'fine'] } },
      { logic: { and: [false, { nope: 1 }] } },
    ]);
  });

  it('on our custom operations, compiled in a ruleset scope', () => {
    const lists = new Map([
      ['disposable', NamedList.of('disposable', 'domains', ['mailinator.com'], 'test')],
      ['ips', NamedList.of('ips', 'values', ['203.0.0.1'], 'test')],
    ]);
    const patterns = new Map(
      [['^[0-9]{4}$', ''], ['ana', 'i']].map(([pattern, flags]) => [patternKey(pattern!, flags!), compilePattern(pattern!, flags!)]),
    );
    const scope: OperatorScope = { lists, patterns };
    // The reference: json-logic-js with our operations added for this test only (the engine adds none).
    const reference: Record<string, (...args: unknown[]) => unknown> = {
      ...CUSTOM_OPERATIONS,
      in_list: (value, name) => inList(lists, value, name),
      matches: (value, pattern, flags) => matchesPattern(patterns, value, pattern, flags),
    };
    for (const [name, fn] of Object.entries(reference)) jsonLogic.add_operation(name, fn);
    try {
      expectParity(customCases(), (logic) => compile(logic, scope));
    } finally {
      for (const name of Object.keys(reference)) jsonLogic.rm_operation(name);
    }
  });

  it('can fail: a different answer is reported', () => {
    const original = jsonLogic.apply;
    try {
      (jsonLogic as { apply: unknown }).apply = () => 'different';
      expect(() => expectParity([{ logic: { '==': [1, 1] } }])).to.throw(/json-logic-js value "different"/);
    } finally {
      (jsonLogic as { apply: unknown }).apply = original;
    }
  });
});
