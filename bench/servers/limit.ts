/**
 * The limit: bare Koa with the same JSON body parser as the service, answering every
 * request with one constant Okta answer. Nothing a hook could do costs less on this stack.
 *
 * With LIMIT_DUTIES=1 it also does the two things every request of a production hook must
 * do whatever it decides, with this service's own code: check the header secret
 * (`hookAuthentication`: SHA-256 and a constant-time compare; the secret is OKTA_HOOK_AUTH_SECRET)
 * and write one masked decision log line (`decisionLog`, to stdout). The distance from this row
 * to the service is the cost of deciding.
 */
import { randomUUID } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { decisionLog, type DecisionLine } from '../../src/observability/decisionLog.js';
import { createLogger } from '../../src/observability/log.js';
import { hookAuthentication } from '../../src/server/middleware/hookAuthentication.js';
import { listen } from './listen.js';

const ANSWER = JSON.stringify({ commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }] });

const app = new Koa();
const duties = process.env.LIMIT_DUTIES === '1';
const logger = createLogger('info');
const logDecision = decisionLog(logger);
if (duties) app.use(hookAuthentication({ header: 'authorization', secrets: [process.env.OKTA_HOOK_AUTH_SECRET ?? ''], logger }));
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '100kb', jsonStrict: true, encoding: 'utf-8' }));
app.use((ctx) => {
  if (typeof ctx.request.body !== 'object') ctx.throw(400);
  ctx.type = 'application/json';
  ctx.body = ANSWER;
  if (duties) logDecision(decisionLine(ctx.request.body as Body));
});
await listen(app);

type Body = { eventId?: string; data?: { userProfile?: { login?: string }; context?: { request?: { ipAddress?: string } } } };

/** The line the service writes for an allowed request decided by its default, from this body. */
function decisionLine(body: Body): DecisionLine {
  const login = body.data?.userProfile?.login;
  const ip = body.data?.context?.request?.ipAddress;
  return {
    event: 'decision',
    eventId: body.eventId,
    decisionId: randomUUID(),
    requestType: 'self.service.registration' as const,
    decision: 'allow' as const,
    decidedBy: { kind: 'default' },
    matchedRules: [],
    updatedAttributes: [],
    rulesetVersion: 'constant',
    latencyMs: 0,
    subject: { ...(login === undefined ? {} : { login }), ...(ip === undefined ? {} : { ip }) },
  };
}
