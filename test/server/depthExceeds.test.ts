import { expect } from 'chai';
import fc from 'fast-check';
import { depthExceeds } from '../../src/server/middleware/jsonBody.js';

/** Nesting depth as the body check counts it: an object or array is 1 plus its deepest child. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('depthExceeds (the JSON body nesting check)', () => {
  it('says a body is deeper than the limit exactly when it is', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 8 }), (value, limit) => {
        expect(depthExceeds(value, limit)).to.equal(depthOf(value) > limit);
      }),
      { numRuns: 1000 },
    );
  });

  it('stops at the limit on a hostile nesting, without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = i % 2 ? [deep] : { a: deep };
    expect(depthExceeds(deep, 32)).to.equal(true);
  });
});
