/**
 * json-rules-engine behind the same Koa handler as the limit: parse, build the same facts
 * this service's conditions see, run the engine, answer. LIST_SIZE sets the blocklist size.
 */
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { registration } from '../../src/hooks/registration/index.js';
import type { OktaHookRequest } from '../../src/okta/types.js';
import { createJreDecider } from '../jreRules.js';
import { listen } from './listen.js';

const decider = createJreDecider(Number(process.env.LIST_SIZE ?? 100_000));
const app = new Koa();
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '100kb', jsonStrict: true, encoding: 'utf-8' }));
app.use(async (ctx) => {
  const request = ctx.request.body as OktaHookRequest;
  if (typeof request !== 'object' || request === null || typeof request.data !== 'object') ctx.throw(400);
  const { type, data } = registration.context(request);
  ctx.body = await decider.decide(type, data as Record<string, unknown>);
});
await listen(app);
