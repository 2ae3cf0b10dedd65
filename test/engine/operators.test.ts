import { expect } from 'chai';
import jsonLogic from 'json-logic-js';
import { compileLogic } from '../../src/engine/logic.js';
import { compilePattern, patternKey } from '../../src/engine/operators.js';
import { emailDomain } from '../../src/engine/emailDomain.js';
import { NamedList } from '../../src/rules/lists.js';

function run(logic: unknown, data: object = {}, lists: NamedList[] = [], patterns: Array<[string, string]> = []): unknown {
  const scope = {
    lists: new Map(lists.map((l) => [l.name, l])),
    patterns: new Map(patterns.map(([p, f]) => [patternKey(p, f), compilePattern(p, f)])),
  };
  return compileLogic(logic, scope).run(data);
}

describe('custom operators', () => {
  describe('emailDomain / email_domain', () => {
    it('lowercases the part after the last @', () => {
      expect(emailDomain('Jane.Doe@Example.COM')).to.equal('example.com');
      expect(emailDomain('"a@b"@example.org')).to.equal('example.org');
    });
    it('drops a trailing dot and converts international names to punycode', () => {
      expect(emailDomain('a@example.com.')).to.equal('example.com');
      expect(emailDomain('a@bücher.example')).to.equal('xn--bcher-kva.example');
    });
    it('is null for non-addresses', () => {
      for (const value of ['', 'no-at-sign', '@example.com', 'a@', 42, null, undefined, ['a@b.c']]) {
        expect(emailDomain(value), JSON.stringify(value)).to.equal(null);
      }
    });
    it('is available to rules', () => {
      expect(run({ email_domain: [{ var: 'e' }] }, { e: 'x@EXAMPLE.com' })).to.equal('example.com');
    });
  });

  describe('iequals', () => {
    it('compares text ignoring case', () => {
      expect(run({ iequals: ['Example.COM', 'example.com'] })).to.equal(true);
      expect(run({ iequals: ['notexample.com', 'example.com'] })).to.equal(false);
    });
    it('still tells accented letters apart, and compares numbers as text', () => {
      expect(run({ iequals: ['résumé', 'resume'] })).to.equal(false);
      expect(run({ iequals: [1234, '1234'] })).to.equal(true);
    });
    it('is true for two missing values only', () => {
      expect(run({ iequals: [{ var: 'x' }, { var: 'y' }] })).to.equal(true);
      expect(run({ iequals: [{ var: 'x' }, 'a'] })).to.equal(false);
    });
  });

  describe('matches', () => {
    it('finds an RE2 pattern in text or numbers', () => {
      const p: Array<[string, string]> = [['^[0-9]{4}$', '']];
      expect(run({ matches: ['1234', '^[0-9]{4}$'] }, {}, [], p)).to.equal(true);
      expect(run({ matches: [1234, '^[0-9]{4}$'] }, {}, [], p)).to.equal(true);
      expect(run({ matches: ['12345', '^[0-9]{4}$'] }, {}, [], p)).to.equal(false);
      expect(run({ matches: [null, '^[0-9]{4}$'] }, {}, [], p)).to.equal(false);
    });
    it('honours flags', () => {
      expect(run({ matches: ['ABC', '^abc$', 'i'] }, {}, [], [['^abc$', 'i']])).to.equal(true);
      expect(run({ matches: ['ABC', '^abc$'] }, {}, [], [['^abc$', '']])).to.equal(false);
    });
    it('refuses a pattern that was not compiled at load', () => {
      expect(() => run({ matches: ['a', 'a+'] })).to.throw(/not compiled at load/);
    });
    it('rejects invalid patterns and flags when compiling', () => {
      expect(() => compilePattern('(a', '')).to.throw();
      expect(() => compilePattern('a', 'g')).to.throw(/flag/);
    });
  });

  describe('in_list', () => {
    const values = NamedList.of('countries', 'values', ['US', 'ca', 7], 'test');
    const domains = NamedList.of('blocked', 'domains', ['mailinator.com', 'Example.NET.'], 'test');
    it('matches values case-insensitively', () => {
      expect(run({ in_list: ['us', 'countries'] }, {}, [values])).to.equal(true);
      expect(run({ in_list: ['CA', 'countries'] }, {}, [values])).to.equal(true);
      expect(run({ in_list: [7, 'countries'] }, {}, [values])).to.equal(true);
      expect(run({ in_list: ['GB', 'countries'] }, {}, [values])).to.equal(false);
      expect(run({ in_list: [null, 'countries'] }, {}, [values])).to.equal(false);
    });
    it('matches a domain, its sub-domains and email addresses, not look-alikes', () => {
      for (const hit of ['mailinator.com', 'x.mailinator.com', 'a.b.MAILINATOR.com', 'me@x.mailinator.com', 'example.net']) {
        expect(run({ in_list: [hit, 'blocked'] }, {}, [domains]), hit).to.equal(true);
      }
      for (const miss of ['notmailinator.com', 'mailinator.com.evil.org', 'com', 'me@gmail.com', '']) {
        expect(run({ in_list: [miss, 'blocked'] }, {}, [domains]), miss).to.equal(false);
      }
    });
  });

  it('lower, upper and trim leave non-text alone', () => {
    expect(run({ lower: ['AbC'] })).to.equal('abc');
    expect(run({ upper: ['AbC'] })).to.equal('ABC');
    expect(run({ trim: ['  a '] })).to.equal('a');
    expect(run({ lower: [5] })).to.equal(5);
  });

  describe('without module-wide state', () => {
    const blocked = NamedList.of('blocked', 'domains', ['mailinator.com'], 'test');
    const digits: Array<[string, string]> = [['^[0-9]+$', '']];
    const scopeOf = (lists: NamedList[]) => ({
      lists: new Map(lists.map((l) => [l.name, l])),
      patterns: new Map(digits.map(([p, f]) => [patternKey(p, f), compilePattern(p, f)])),
    });

    it('in_list and matches run wherever the expression runs (a counter key, a fact parameter): their scope is bound when they compile', () => {
      const logic = { and: [{ in_list: [{ var: 'email' }, 'blocked'] }, { matches: [{ var: 'n' }, '^[0-9]+$'] }] };
      expect(compileLogic(logic, scopeOf([blocked])).run({ email: 'a@x.mailinator.com', n: '42' })).to.equal(true);
    });

    it('two rulesets compiled side by side each keep their own lists', () => {
      const other = NamedList.of('blocked', 'domains', ['example.org'], 'test');
      const logic = { in_list: [{ var: 'email' }, 'blocked'] };
      const first = compileLogic(logic, scopeOf([blocked]));
      const second = compileLogic(logic, scopeOf([other]));
      const data = { email: 'a@mailinator.com' };
      expect([first.run(data), second.run(data)]).to.deep.equal([true, false]);
    });

    it('an evaluation may pass other lists (a rule test that replaces a list), which replace the bound ones', () => {
      const replaced = NamedList.of('blocked', 'domains', ['example.org'], 'a rule test');
      const compiled = compileLogic({ in_list: [{ var: 'email' }, 'blocked'] }, scopeOf([blocked]));
      expect(compiled.run({ email: 'a@example.org' }, new Map([['blocked', replaced]]))).to.equal(true);
      expect(compiled.run({ email: 'a@mailinator.com' }, new Map([['blocked', replaced]]))).to.equal(false);
    });

    it("leaves json-logic-js's process-wide operation table as it found it", () => {
      expect(() => jsonLogic.apply({ in_list: ['a', 'blocked'] } as never, {})).to.throw(/Unrecognized operation in_list/);
      expect(() => jsonLogic.apply({ email_domain: ['a@b.c'] } as never, {})).to.throw(/Unrecognized operation email_domain/);
    });
  });
});
