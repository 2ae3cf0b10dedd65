import { evaluate } from '/work/wt-5/src/engine/evaluate.js';
import { loadRuleset } from '/work/wt-5/src/rules/loadRuleset.js';
import { generateLargeRuleset } from '/work/wt-5/bench/generate.js';
import { requestMix } from '/work/wt-5/bench/requests.js';
const which = process.argv[2];
let dir = '/work/wt-5/rules';
if (which === 'large') { dir = '/tmp/large-bench'; await generateLargeRuleset(dir, { listSize: 1000 }); }
const r = await loadRuleset(dir); if (!r.ok) throw new Error(JSON.stringify(r.errors));
const bodies = requestMix().map(m => m.body as any);
const t = performance.now();
for (let i = 0; i < 100000; i++) evaluate(r.ruleset, bodies[i % 4]);
console.log((performance.now() - t) * 1000 / 100000, 'us');
