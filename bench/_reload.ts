import { loadRuleset } from '../src/rules/loadRuleset.js';
import { generateLargeRuleset } from './generate.js';
await generateLargeRuleset('/tmp/large-100k', { listSize: 100000 });
for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await loadRuleset('/tmp/large-100k'); console.log('load', performance.now() - t, r.ok); }
