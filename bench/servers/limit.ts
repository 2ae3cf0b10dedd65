/**
 * The limit: bare Koa with the same JSON body parser as the service, answering every
 * request with one constant Okta answer. Nothing a hook could do costs less on this stack.
 */
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { listen } from './listen.js';

const ANSWER = JSON.stringify({ commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }] });

const app = new Koa();
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '100kb', jsonStrict: true, encoding: 'utf-8' }));
app.use((ctx) => {
  if (typeof ctx.request.body !== 'object') ctx.throw(400);
  ctx.type = 'application/json';
  ctx.body = ANSWER;
});
await listen(app);
