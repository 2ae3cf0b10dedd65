import { expect } from 'chai';
import fc from 'fast-check';
import { compileLogic } from '../../src/engine/logic.js';
import { ssrRequest } from '../helpers/fixtures.js';
import { startHostileServer, type HostileServer } from '../hostile/support/hostileServer.js';

const iequals = (a: unknown, b: unknown): unknown => compileLogic({ iequals: [a, b] }).run({});

/** Characters that show nothing, or look like another, yet make a different string where Okta stores it. */
const INVISIBLE = ['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u034f', '\u180e'];

describe('iequals: case-insensitive, and nothing more', () => {
  it('tells Sales apart from a soft hyphen, a zero-width space or fullwidth letters in it', () => {
    expect(iequals('Sales', 'sALES')).to.equal(true);
    for (const other of ['Sa\u00adles', 'Sa\u200bles', 'Ｓａｌｅｓ', 'ｓａｌｅｓ', 'Sales\u200d', '\ufeffSales']) {
      expect(iequals(other, 'Sales'), JSON.stringify(other)).to.equal(false);
      expect(iequals('Sales', other), JSON.stringify(other)).to.equal(false);
    }
  });

  it('an invisible character anywhere in a word makes another word', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.@'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(word, fc.nat(), fc.constantFrom(...INVISIBLE), (text, at, invisible) => {
        const i = at % (text.length + 1);
        expect(iequals(text.slice(0, i) + invisible + text.slice(i), text.toUpperCase())).to.equal(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('folds case fully: any text equals its uppercase and its lowercase', () => {
    // Dotless ı is left out: its uppercase is I, but it is a letter of its own (below).
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0131'));
    fc.assert(
      fc.property(text, (value) => {
        expect(iequals(value, value.toUpperCase()), JSON.stringify(value)).to.equal(true);
        expect(iequals(value.toLowerCase(), value), JSON.stringify(value)).to.equal(true);
      }),
      { numRuns: 5_000 },
    );
    for (const [a, b] of [['straße', 'STRASSE'], ['ẞ', 'ß'], ['ﬁle', 'FILE'], ['ΟΔΟΣ', 'οδοσ'], ['Ωmega', 'ωMEGA']]) expect(iequals(a, b), `${a} ${b}`).to.equal(true);
  });

  it('canonically equivalent text is the same text (NFC); accents and dotless ı still count', () => {
    expect(iequals('re\u0301sume\u0301', 'RÉSUMÉ')).to.equal(true);
    expect(iequals('résumé', 'resume')).to.equal(false);
    expect(iequals('admın', 'admin')).to.equal(false);
    expect(iequals('ADMIN', 'admın')).to.equal(false);
    expect(iequals('ı', 'ı')).to.equal(true);
    expect(iequals(1234, '1234')).to.equal(true);
  });
});

describe('iequals in a rule, through the hook', function () {
  this.timeout(30_000);
  let hostile: HostileServer;
  const RULES = `
defaults: { self.service.registration: deny }
rules:
  - id: allow-sales
    description: only the Sales department may register
    appliesTo: [self.service.registration]
    when: { iequals: [{ var: submitted.department }, Sales] }
    then: { allow: true }
`;
  before(async () => (hostile = await startHostileServer({}, { 'sales.yaml': RULES })));
  after(() => hostile.stop());

  it('allows SALES and sales, and denies the look-alikes Okta stores as other strings', async () => {
    const decide = async (department: string) => {
      const answer = await hostile.expectAnswer(JSON.stringify(ssrRequest({ email: 'ann@example.com', department })), 200);
      return JSON.stringify(JSON.parse(answer.text)).includes('"DENY"') ? 'deny' : 'allow';
    };
    expect(await decide('SALES')).to.equal('allow');
    expect(await decide('sales')).to.equal('allow');
    for (const department of ['Sa\u00adles', 'Sa\u200bles', 'Ｓａｌｅｓ']) expect(await decide(department), JSON.stringify(department)).to.equal('deny');
  });
});
