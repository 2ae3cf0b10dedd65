import { expect } from 'chai';
import fc from 'fast-check';
import { pino } from 'pino';
import { isoTime, isoTimeAt } from '../../src/observability/log.js';

describe('log timestamps (isoTime)', () => {
  it('writes what Date#toISOString writes, for any millisecond, in any order', () => {
    const ms = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 1.7e12, max: 1.8e12 }), fc.constantFrom(0, -1, 999, 1000, 1001, 253402300799999, 253402300800000));
    fc.assert(
      fc.property(fc.array(ms, { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) expect(isoTimeAt(t)).to.equal(new Date(t).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it("has the shape of pino's isoTime", () => {
    expect(isoTime()).to.match(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
    expect(pino.stdTimeFunctions.isoTime()).to.match(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });
});
