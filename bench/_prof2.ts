import { requestMix } from './requests.js';
const bodies = requestMix().map(m => JSON.parse(JSON.stringify(m.body)));
const tests: Record<string, (b: any) => unknown> = {
  spreadThenMany: (b) => ({ ...b, requestType: 'x', submitted: {}, profile: {}, user: null, email: 'a', emailDomain: 'b', ipAddress: null }),
  assignMany: (b) => Object.assign({}, b, { requestType: 'x', submitted: {}, profile: {}, user: null, email: 'a', emailDomain: 'b', ipAddress: null }),
  manyThenSpreadFirst: (b) => { const o: any = { requestType: 'x', submitted: {}, profile: {}, user: null, email: 'a', emailDomain: 'b', ipAddress: null }; for (const k in b) if (!(k in o)) o[k] = b[k]; return o; },
};
for (let round = 0; round < 2; round++)
for (const [name, fn] of Object.entries(tests)) {
  const t = performance.now();
  for (let i = 0; i < 200000; i++) fn(bodies[i % 4]);
  console.log(name, (performance.now() - t) * 1000 / 200000, 'us');
}
