import { expect } from 'chai';
import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import { chain } from '../../src/server/middleware/chain.js';

/** Layers that record what they see, call next (or not, or throw), synchronously or not. */
function layer(name: string, log: string[], how: 'sync' | 'async' | 'stop' | 'throw' | 'reject'): Middleware {
  switch (how) {
    case 'async':
      return async (_ctx, next) => {
        log.push(`${name} in`);
        await new Promise((resolve) => setImmediate(resolve));
        await next();
        log.push(`${name} out`);
      };
    case 'stop':
      return () => {
        log.push(`${name} stops`);
      };
    case 'throw':
      return () => {
        throw new Error(`${name} threw`);
      };
    case 'reject':
      return () => Promise.reject(new Error(`${name} rejected`));
    case 'sync':
      return (_ctx, next) => {
        log.push(`${name} in`);
        return next();
      };
  }
}

/** Runs the same layers through chain (inside Koa's compose, as the app does) and through koa-compose alone. */
async function both(kinds: Array<'sync' | 'async' | 'stop' | 'throw' | 'reject'>): Promise<[string[], string[]]> {
  const results: string[][] = [];
  for (const build of [(ls: Middleware[]) => compose([chain(ls)]), (ls: Middleware[]) => compose(ls)]) {
    const log: string[] = [];
    const layers = kinds.map((kind, i) => layer(`L${i}`, log, kind));
    try {
      await build(layers)({} as Context, async () => {
        log.push('downstream');
      });
      log.push('resolved');
    } catch (error) {
      log.push(`rejected: ${(error as Error).message}`);
    }
    results.push(log);
  }
  return [results[0]!, results[1]!];
}

describe('chain (the hook route runs its layers without koa-compose)', () => {
  const cases: Array<Array<'sync' | 'async' | 'stop' | 'throw' | 'reject'>> = [
    [],
    ['sync'],
    ['sync', 'sync', 'sync'],
    ['async', 'sync', 'async'],
    ['sync', 'stop', 'sync'],
    ['sync', 'throw'],
    ['async', 'throw', 'sync'],
    ['sync', 'reject'],
    ['async', 'async', 'stop'],
    ['throw'],
  ];
  for (const kinds of cases) {
    it(`runs [${kinds.join(', ')}] in the order, with the outcome, koa-compose gives`, async () => {
      const [viaChain, viaCompose] = await both(kinds);
      expect(viaChain).to.deep.equal(viaCompose);
    });
  }
});
