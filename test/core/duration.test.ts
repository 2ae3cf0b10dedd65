import { expect } from 'chai';
import { durationMs } from '../../src/core/duration.js';

describe('durationMs (facts timeouts and caches, counter windows)', () => {
  it('reads every unit, and whole milliseconds as numbers', () => {
    expect([durationMs('250ms'), durationMs('2s'), durationMs('5m'), durationMs('1h'), durationMs('1d'), durationMs(300)]).to.deep.equal([250, 2_000, 300_000, 3_600_000, 86_400_000, 300]);
  });

  it('refuses zero, fractions, signs, spaces, unknown units and sizes past exact integers', () => {
    for (const value of ['0s', '0', '1.5s', '-1s', ' 1s', '1 s', '1w', '', '99999999999999999999d', 0, -5, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(durationMs(value), String(value)).to.equal(null);
    }
  });
});
