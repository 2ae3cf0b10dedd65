import { expect } from 'chai';
import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { PendingCounts } from '../../src/server/pendingCounts.js';

const labels = (a: unknown, b: unknown, c: unknown, d: unknown) => ({ a: String(a), b: String(b), c: String(c), d: String(d) });

describe('PendingCounts (request and decision counts, handed to prom-client when read)', () => {
  it('gives the text counting each inc() directly gives, across reads', async () => {
    const value = fc.constantFrom('x', 'y', '', 'x y', 'rule.1', 200, 404);
    const tuple = fc.tuple(value, value, value, value);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(tuple, { maxLength: 30 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        const [direct, pending] = [new Registry(), new Registry()];
        const directCounter = new Counter({ name: 'c', help: 'h', labelNames: ['a', 'b', 'c', 'd'], registers: [direct] });
        const counts: PendingCounts<'a' | 'b' | 'c' | 'd'> = new PendingCounts(() => pendingCounter, 4);
        const pendingCounter: Counter<'a' | 'b' | 'c' | 'd'> = new Counter({ name: 'c', help: 'h', labelNames: ['a', 'b', 'c', 'd'], registers: [pending], collect: () => counts.flush() });
        for (const batch of batches) {
          for (const [a, b, c, d] of batch) {
            directCounter.inc(labels(a, b, c, d));
            counts.add(labels, a, b, c, d);
          }
          // Each read in between: counts handed over once, never twice.
          expect(await pending.metrics()).to.equal(await direct.metrics());
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps keys of different depths apart: 1 and 3 keys', async () => {
    const registry = new Registry();
    const one: PendingCounts<'a'> = new PendingCounts(() => oneCounter, 1);
    const oneCounter: Counter<'a'> = new Counter({ name: 'one', help: 'h', labelNames: ['a'], registers: [registry], collect: () => one.flush() });
    const three: PendingCounts<'a' | 'b' | 'c'> = new PendingCounts(() => threeCounter, 3);
    const threeCounter: Counter<'a' | 'b' | 'c'> = new Counter({ name: 'three', help: 'h', labelNames: ['a', 'b', 'c'], registers: [registry], collect: () => three.flush() });
    for (const id of ['r1', 'r2', 'r1']) one.add((a) => ({ a: String(a) }), id);
    three.add((a, b, c) => ({ a: String(a), b: String(b), c: String(c) }), '/h', 'POST', 200);
    three.add((a, b, c) => ({ a: String(a), b: String(b), c: String(c) }), '/h', 'POST', 401);
    three.add((a, b, c) => ({ a: String(a), b: String(b), c: String(c) }), '/h', 'POST', 200);
    const text = await registry.metrics();
    expect(text).to.include('one{a="r1"} 2').and.include('one{a="r2"} 1');
    expect(text).to.include('three{a="/h",b="POST",c="200"} 2').and.include('three{a="/h",b="POST",c="401"} 1');
  });
});
