import { expect } from 'chai';
import fc from 'fast-check';
import { maskKey } from '../../src/counters/counterKey.js';
import { capText } from '../../src/observability/capText.js';
import { maskEmail, maskText } from '../../src/observability/maskPii.js';
import { NamedList } from '../../src/rules/lists.js';
import { emailDomain } from '../../src/engine/emailDomain.js';

// The scans that replaced regexes (and a label walk) on request data find exactly what the
// regexes found: compared on generated text made of the characters each one cares about.
// How fast they are is checked on the real server (test/hostile/slowInputs.test.ts).

/** The email regex the masking used, with the g flag, as the reference. */
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)/g;
const referenceMaskEmail = (value: string) => value.replace(EMAIL, (_whole, domain: string) => `***@${domain}`);

/** The domain test maskKey used. */
const DOMAIN = /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const referenceMaskKey = (text: string) => {
  const masked = maskText(text);
  if (masked !== text || DOMAIN.test(text)) return masked;
  return text.length <= 2 ? '*'.repeat(text.length) : `${text.slice(0, 2)}***(${text.length})`;
};

const PIECES = ['a', 'Z', '0', '9', '-', '--', '.', '..', '@', '@@', '!', '_', '+', '~', ' ', ',', ':', '<', 'é', '\u00ad', 'ex', 'com', '😀'];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((parts) => parts.join(''));
const addressLike = fc
  .tuple(fc.array(fc.constantFrom('a', 'b.', '-', '.', '!', 'é', ' '), { maxLength: 5 }), fc.array(fc.constantFrom('x', 'y-', '-', '.', '.z', '9', '..', '@', 'é', '-.'), { maxLength: 8 }))
  .map(([local, domain]) => `${local.join('')}@${domain.join('')}`);

describe('linear scans on request data', () => {
  it('maskEmail finds and masks what the email regex did', () => {
    fc.assert(
      fc.property(fc.oneof(text, addressLike, fc.array(addressLike, { maxLength: 4 }).map((parts) => parts.join(' '))), (value) => {
        expect(maskEmail(value), JSON.stringify(value)).to.equal(referenceMaskEmail(value));
      }),
      { numRuns: 30_000 },
    );
    expect(maskEmail('write to ann.lee+x@Example.COM, or bob@sub.example.org.')).to.equal('write to ***@Example.COM, or ***@sub.example.org.');
    expect(maskEmail('a@b@c.d a@b-.c x@y.z-q- p@q.r-')).to.equal(referenceMaskEmail('a@b@c.d a@b-.c x@y.z-q- p@q.r-'));
  });

  it('maskKey keeps a domain, an address and an IP network as the regex test did, and hides the rest', () => {
    const key = fc.oneof(text, fc.array(fc.constantFrom('a', 'B', '1', '-', '.', '..', '@', 'é', '_', ' ', '\r', '\u0010'), { maxLength: 12 }).map((p) => p.join('')));
    fc.assert(
      fc.property(key, (value) => {
        expect(maskKey(value), JSON.stringify(value)).to.equal(referenceMaskKey(value));
      }),
      { numRuns: 20_000 },
    );
    expect(maskKey('mailinator.com')).to.equal('mailinator.com');
    expect(maskKey('1.2')).to.equal('1.***(3)');
  });

  it('a domains list matches the same names as walking every label did', () => {
    const entries = ['mailinator.com', 'a.b.c', 'evil.org', 'xn--bcher-kva.example', 'co'];
    const list = NamedList.of('blocked', 'domains', entries, 'test');
    const set = new Set(entries);
    const referenceContains = (value: string) => {
      let candidate = value.includes('@') ? emailDomain(value) : value.trim().toLowerCase().replace(/\.$/, '');
      if (!candidate) return false;
      for (;;) {
        if (set.has(candidate)) return true;
        const dot = candidate.indexOf('.');
        if (dot < 0) return false;
        candidate = candidate.slice(dot + 1);
      }
    };
    const name = fc.array(fc.constantFrom('a', 'b', 'c', 'co', 'mailinator', 'com', 'evil', 'org', 'x', '.', '..', '-'), { maxLength: 10 }).map((p) => p.join(''));
    fc.assert(
      fc.property(name, fc.boolean(), (domain, asEmail) => {
        const value = asEmail ? `someone@${domain}` : domain;
        expect(list.contains(value), value).to.equal(referenceContains(value));
      }),
      { numRuns: 20_000 },
    );
    expect(list.contains(`ann@${'x.'.repeat(30_000)}mailinator.com`)).to.equal(true);
    expect(list.contains(`ann@${'x.'.repeat(30_000)}example.net`)).to.equal(false);
  });

  it('capText keeps a value up to the limit and cuts a longer one with a marker, never inside a character', () => {
    expect(capText('x'.repeat(100))).to.equal('x'.repeat(100));
    expect(capText('x'.repeat(101))).to.equal(`${'x'.repeat(100)}…[truncated, 101 chars]`);
    const emoji = `${'x'.repeat(99)}😀tail`;
    expect(capText(emoji)).to.equal(`${'x'.repeat(99)}…[truncated, ${emoji.length} chars]`);
    expect(Buffer.from(capText(emoji)).toString('utf8')).not.to.contain('\ufffd');
  });
});
