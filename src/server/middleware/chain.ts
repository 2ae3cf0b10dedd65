import type { Middleware, Next, ParameterizedContext } from 'koa';

/**
 * Runs middleware in order, each given the next as its `next`, like koa-compose but without
 * koa-compose's promise and bookkeeping per layer: for the hook's own chain, which runs on
 * every request. A layer's synchronous throw reaches the caller as a throw (Koa's compose,
 * which calls this chain, turns it into a rejection for errorHandling). Calling a `next`
 * twice runs the rest twice: only for layers that, like ours, call it at most once.
 */
export function chain(layers: readonly Middleware[]): Middleware {
  if (layers.length === 0) return (_ctx, next) => next();
  return (ctx, next) => step(layers, 0, ctx, next);
}

function step(layers: readonly Middleware[], index: number, ctx: ParameterizedContext, last: Next): unknown {
  const layer = layers[index]!;
  if (index === layers.length - 1) return layer(ctx, last);
  return layer(ctx, () => step(layers, index + 1, ctx, last) as Promise<unknown>);
}
