import { expect } from 'chai';
import fc from 'fast-check';
import { benchRules } from '../../bench/ruleset.js';
import { literalPrefilter, requiredLiterals } from '../../src/engine/literalPrefilter.js';
import { compileLogic } from '../../src/engine/logic.js';
import { compilePattern, patternKey, withScope } from '../../src/engine/operators.js';

/** The prefilter's promise: it says "no" only when re2js finds no match. */
function expectSound(pattern: string, flags: string, text: string): boolean {
  const mayMatch = literalPrefilter(pattern, flags);
  const found = compilePattern(pattern, flags).test(text);
  if (mayMatch && !mayMatch(text)) {
    expect(found, `prefilter of /${pattern}/${flags} rejected ${JSON.stringify(text)}, which re2js matches`).to.equal(false);
  }
  return found;
}

const BENCH_PATTERNS: Array<[string, string]> = [];
for (const rule of benchRules()) {
  if (rule.when === true) continue;
  for (const check of 'all' in rule.when ? rule.when.all : rule.when.any) {
    if (check.op === 'matches' || check.op === 'notMatches') BENCH_PATTERNS.push([check.pattern, check.flags ?? '']);
  }
}

// Characters that trip naive folding: RE2 folds ſ (U+017F) onto s and the Kelvin sign (U+212A)
// onto k; İ and ı lowercase to more than one character or to a non-ASCII letter; plus an
// astral character and a lone surrogate.
const TRICKY = ['ſ', '\u212a', 'İ', 'ı', 'ß', 'é', '😀', '\ud800', '\n', ' ', '@', '.', '-', '{', '<', ':'];

/** Text built from pieces of the literals, in any case, with tricky characters between. */
function textFrom(literals: string[]): fc.Arbitrary<string> {
  const pieces = literals.length > 0 ? literals : ['a'];
  const piece = fc.oneof(
    fc.constantFrom(...pieces),
    fc.constantFrom(...pieces).chain((p) => fc.integer({ min: 0, max: p.length }).map((n) => p.slice(0, n))),
    fc.constantFrom(...TRICKY),
    fc.string({ maxLength: 4 }),
  );
  const cased = piece.chain((p) =>
    fc.constantFrom(p, p.toUpperCase(), p.replace(/s/g, 'ſ').replace(/k/gi, '\u212a'), p.replace(/./g, (c, i) => (i % 2 ? c.toUpperCase() : c))),
  );
  return fc.array(cased, { maxLength: 6 }).map((parts) => parts.join(''));
}

describe('literal prefilter for matches', () => {
  it('derives the literals every match must contain, for the simple shapes only', () => {
    expect(requiredLiterals('\\b(spam3|junk3|fake3user)\\b')).to.deep.equal([['spam3', 'junk3', 'fake3user']]);
    expect(requiredLiterals('^(admin|root)@')).to.deep.equal([['admin', 'root'], ['@']]);
    expect(requiredLiterals('\\.(zz3|qq3x)$')).to.deep.equal([['.'], ['zz3', 'qq3x']]);
    expect(requiredLiterals('(<script|javascript:|\\{\\{|banned3)')).to.deep.equal([['<script', 'javascript:', '{{', 'banned3']]);
    expect(requiredLiterals('(?:x|y)z')).to.deep.equal([['x', 'y'], ['z']]);
    // A group with an empty alternative requires nothing.
    expect(requiredLiterals('a(b|)c')).to.deep.equal([['a'], ['c']]);
    expect(requiredLiterals('^$')).to.deep.equal([]);
    expect(literalPrefilter('^$', '')).to.equal(null);
  });

  it('reads a character as literal only where re2js does', () => {
    let literals = 0;
    for (let code = 0x20; code <= 0x7e; code++) {
      const char = String.fromCharCode(code);
      for (const pattern of [char, `\\${char}`]) {
        const required = requiredLiterals(pattern);
        if (required === null || pattern === '^' || pattern === '$' || pattern === '\\b' || pattern === '\\B') continue; // assertions
        expect(required, pattern).to.deep.equal([[char]]);
        const re = compilePattern(pattern, '');
        expect(re.test(`\u00e9${char}\u00e9`), pattern).to.equal(true);
        expect(re.test('\u00e9\u00e9'), pattern).to.equal(false);
        literals++;
      }
    }
    expect(literals).to.be.greaterThan(90);
  });

  it('gives up on everything else', () => {
    const outside = [
      'abc?', 'ab*', 'a+', 'a{2}', 'a{', '[ab]', 'a.b', '\\d', '\\w+', '\\x41', '\\Q.\\E', '\\pL', '\\n',
      '(?i)abc', '(?P<n>a)', '(?<n>a)', '((a))', '(a|b)?', '(a|b)*', 'a|b', '(a', 'a)', '\\', '\\ ', '\\z', '\\A', 'é', 'a\tb',
    ];
    for (const pattern of outside) expect(requiredLiterals(pattern), pattern).to.equal(null);
  });

  it('rejects texts without the literals (case-insensitive only on ASCII text)', () => {
    const names = literalPrefilter('\\b(spam3|junk3|fake3user)\\b', 'i')!;
    expect(names('Isaac')).to.equal(false);
    expect(names('SPAM3')).to.equal(true);
    expect(names('Jos\u00e9')).to.equal(true); // not ASCII: left to re2js
    // ſ folds onto s and the Kelvin sign onto k in RE2: the prefilter must not say no.
    const words = literalPrefilter('(spam3|junk3)', 'i')!;
    expect(compilePattern('(spam3|junk3)', 'i').test('\u017fpam3')).to.equal(true);
    expect(words('\u017fpam3')).to.equal(true);
    expect(compilePattern('(spam3|junk3)', 'i').test('jun\u212a3')).to.equal(true);
    expect(words('jun\u212a3')).to.equal(true);
    // An escaped backslash is a literal backslash.
    expect(requiredLiterals('a\\\\b')).to.deep.equal([['a\\b']]);
    const tld = literalPrefilter('\\.(zz3|qq3x)$', '')!;
    expect(tld('example.com')).to.equal(false);
    expect(tld('example.ZZ3')).to.equal(false); // case-sensitive: re2js would not match either
    expect(tld('example.zz3')).to.equal(true);
  });

  it('covers 41 of the 42 bench patterns: all but the one with a counted repeat (docs/performance.md)', () => {
    const without = BENCH_PATTERNS.filter(([pattern, flags]) => literalPrefilter(pattern, flags) === null).map(([pattern]) => pattern);
    expect(BENCH_PATTERNS).to.have.length(42);
    expect(without).to.deep.equal(['^[0-9]{4}$']);
  });

  it('never rejects a text re2js matches: the bench patterns', () => {
    expect(BENCH_PATTERNS.length).to.be.greaterThan(40);
    let matched = 0;
    let rejected = 0;
    for (const [pattern, flags] of BENCH_PATTERNS) {
      const literals = (requiredLiterals(pattern) ?? []).flat();
      const mayMatch = literalPrefilter(pattern, flags);
      fc.assert(
        fc.property(textFrom(literals), (text) => {
          if (expectSound(pattern, flags, text)) matched++;
          if (mayMatch && !mayMatch(text)) rejected++;
        }),
        { numRuns: 150 },
      );
    }
    // The property has teeth: both sides of it were exercised.
    expect(matched).to.be.greaterThan(500);
    expect(rejected).to.be.greaterThan(500);
  });

  it('never rejects a text re2js matches: generated patterns of the understood shape', () => {
    const literalChar = fc.constantFrom('a', 'B', 's', 'K', 'k', 'i', 'I', '0', '@', '-', ' ', '\\.', '\\{', '\\(', '\\|', '\\$', '\\^', '\\\\', ':', '<');
    const run = fc.array(literalChar, { minLength: 1, maxLength: 4 }).map((chars) => chars.join(''));
    const group = fc
      .tuple(fc.boolean(), fc.array(fc.oneof(run, fc.constant('')), { minLength: 1, maxLength: 4 }))
      .map(([plain, alternatives]) => `(${plain ? '' : '?:'}${alternatives.join('|')})`);
    const item = fc.oneof(run, group, fc.constantFrom('^', '$', '\\b', '\\B'));
    const pattern = fc.array(item, { minLength: 1, maxLength: 5 }).map((items) => items.join(''));
    const flags = fc.constantFrom('', 'i', 'm', 's', 'im', 'is');
    const unescape = (p: string) => p.replace(/\\b|\\B/g, ' ').replace(/\\(.)/g, '$1').replace(/[()?:^$|]/g, ' ');
    let matched = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        pattern.chain((p) => fc.tuple(fc.constant(p), flags, textFrom([unescape(p), ...unescape(p).split(' ')]))),
        ([p, f, text]) => {
          expect(requiredLiterals(p), p).to.not.equal(null);
          if (expectSound(p, f, text)) matched++;
          const mayMatch = literalPrefilter(p, f);
          if (mayMatch && !mayMatch(text)) rejected++;
        },
      ),
      { numRuns: 3000 },
    );
    expect(matched).to.be.greaterThan(300);
    expect(rejected).to.be.greaterThan(300);
  });

  it('binds matches to its pattern at compile time with the same answers and errors', () => {
    const patterns = new Map(BENCH_PATTERNS.map(([p, f]) => [patternKey(p, f), compilePattern(p, f)]));
    const scope = { lists: new Map(), patterns };
    const values = ['Isaac', 'x JUNK2 y', 'admin@x', 'a.zz3', '1234', '12a4', '', 42, 1234, true, null, undefined, ['spam1'], { a: 1 }];
    let bound = 0;
    for (const [p, f] of BENCH_PATTERNS) {
      for (const logic of [{ matches: [{ var: 't' }, p, f] }, ...(f === '' ? [{ matches: [{ var: 't' }, p] }] : [])]) {
        const plain = compileLogic(logic);
        const atLoad = compileLogic(logic, { patterns });
        // The bound path is the one tested: it no longer looks the pattern up in the scope.
        const empty = { lists: new Map(), patterns: new Map() };
        expect(withScope(empty, () => atLoad.run({ t: 'x' }))).to.equal(compilePattern(p, f).test('x'));
        expect(() => withScope(empty, () => plain.run({ t: 'x' }))).to.throw('was not compiled at load');
        for (const t of values) {
          expect(withScope(scope, () => atLoad.run({ t })), `${p} ${String(t)}`).to.equal(withScope(scope, () => plain.run({ t })));
          bound++;
        }
        // Outside an evaluation both refuse a text, and both answer false for a non-text.
        expect(() => atLoad.run({ t: 'x' })).to.throw('custom operation used outside an evaluation');
        expect(() => plain.run({ t: 'x' })).to.throw('custom operation used outside an evaluation');
        expect(atLoad.run({ t: null })).to.equal(false);
      }
    }
    expect(bound).to.be.greaterThan(500);
    // A pattern the ruleset does not hold is not bound: the operation's own error remains.
    const unknown = compileLogic({ matches: [{ var: 't' }, 'nowhere'] }, { patterns });
    expect(() => withScope(scope, () => unknown.run({ t: 'x' }))).to.throw('pattern nowhere was not compiled at load');
  });

  it('leaves the matches operation giving re2js answers', () => {
    const patterns = BENCH_PATTERNS.slice(0, 12);
    const scope = { lists: new Map(), patterns: new Map(patterns.map(([p, f]) => [patternKey(p, f), compilePattern(p, f)])) };
    const texts = ['Isaac', 'spam0', 'x JUNK2 y', 'fake4user', 'admin@x', 'ROOT@example.com', 'a.zz3', 'a.qq1x', '\u017fpam1', '1234', ''];
    for (const [p, f] of patterns) {
      const logic = compileLogic({ matches: [{ var: 't' }, p, f] });
      for (const t of texts) {
        expect(withScope(scope, () => logic.run({ t })), `${p} ${t}`).to.equal(compilePattern(p, f).test(t));
      }
    }
  });
});
