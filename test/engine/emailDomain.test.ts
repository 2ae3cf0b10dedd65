import { expect } from 'chai';
import fc from 'fast-check';
import { domainToASCII } from 'node:url';
import { emailDomain, isPlainDomain } from '../../src/engine/emailDomain.js';

/** emailDomain as it was before the plain-domain shortcut: always through domainToASCII. */
function reference(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return null;
  let domain = email.slice(at + 1).trim().toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === '') return null;
  const ascii = domainToASCII(domain);
  return ascii === '' ? null : ascii;
}

// Names near the shortcut's edges: IPv4-like labels, punycode prefixes, empty labels, percent
// escapes, characters the URL host parser stops at or refuses, and non-ASCII.
const PIECES = ['a', 'z', 'q', 'x', 'n', 'xn', '-', '--', 'xn--', '0', '1', '9', '0x', '0X', '7f', '.', '..', 'com', 'example',
  'A', 'K', '%41', '_', ' ', '/', ':', '@', '?', '#', '[', ']', '*', '\\', 'é', 'ß', 'ſ', '\u212a', 'ｅ', '\u00ad', '\u200b', 'ü', '\u3002'];
const label = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((parts) => parts.join(''));
const name = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.')),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9.-]{1,80}$/),
);

describe('emailDomain: the plain-domain shortcut', () => {
  it('only takes names that domainToASCII returns unchanged', () => {
    let plain = 0;
    fc.assert(
      fc.property(name, (domain) => {
        if (!isPlainDomain(domain)) return;
        plain++;
        expect(domainToASCII(domain), JSON.stringify(domain)).to.equal(domain);
      }),
      { numRuns: 20000 },
    );
    expect(plain).to.be.greaterThan(1000); // the shortcut was exercised
  });

  it('refuses the names domainToASCII changes or rejects', () => {
    for (const domain of ['a.1', '0x7f.1', '1.2.3.4', 'a.0x1', 'xn--abc', 'a.xn--ls8h', 'a..b', '.a', 'a.', 'a%41.com', 'a_b.com', 'Example.com', 'bücher.de', '123']) {
      expect(isPlainDomain(domain), domain).to.equal(false);
    }
    for (const domain of ['example.com', 'a-b.c0m', '-a.com', 'ab--cd.example', 'x'.repeat(300), 'mail.a1']) {
      expect(isPlainDomain(domain), domain).to.equal(true);
    }
  });

  it('gives the same domains as always going through domainToASCII', () => {
    const local = fc.constantFrom('a', 'Jane.Doe', '"a@b"', '', 'x y');
    const email = fc.oneof(
      fc.tuple(local, name).map(([l, d]) => `${l}@${d}`),
      fc.tuple(local, name).map(([l, d]) => `${l}@ ${d.toUpperCase()}. `),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(email, (value) => {
        expect(emailDomain(value), JSON.stringify(value)).to.equal(reference(value));
      }),
      { numRuns: 20000 },
    );
  });
});
