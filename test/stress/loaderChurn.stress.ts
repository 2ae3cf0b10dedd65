import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { recordNote } from './support/figures.js';

// The loader while its files change under it (editors saving, ConfigMap swaps): every call
// resolves, to a ruleset or to positioned errors, whatever state the directory is in.

const SECONDS = Number(process.env.STRESS_SECONDS ?? '45') / 6;
const VALID = (n: number) => `rules:\n  - id: r${n}\n    description: d\n    appliesTo: [self.service.registration]\n    when: true\n    then: { allow: true }\n`;
const INVALID = 'rules:\n  - id: [unclosed\n';

describe('loader under churn', function () {
  this.timeout((SECONDS + 60) * 1000);

  it(`never rejects while files are rewritten, truncated and removed for ${Math.round(SECONDS)} s`, async () => {
    const tmp = await tempRulesDir({ 'a.yaml': VALID(0), 'b.yaml': VALID(1) });
    const deadline = performance.now() + SECONDS * 1000;
    const counts = { loads: 0, ok: 0, refused: 0, writes: 0 };
    try {
      const writer = async () => {
        for (let n = 0; performance.now() < deadline; n++) {
          const file = path.join(tmp.dir, n % 2 ? 'a.yaml' : 'b.yaml');
          const step = n % 5;
          if (step === 0) await rm(file, { force: true });
          else await writeFile(file, step === 1 ? INVALID : step === 2 ? '' : VALID(n));
          counts.writes++;
        }
      };
      const loader = async () => {
        while (performance.now() < deadline) {
          const result = await loadHookRuleset(tmp.dir);
          counts.loads++;
          if (result.ok) counts.ok++;
          else {
            counts.refused++;
            for (const e of result.errors) expect(e.line >= 1 && e.column >= 1 && e.message !== '', JSON.stringify(e)).to.equal(true);
          }
        }
      };
      await Promise.all([writer(), loader(), loader()]);
    } finally {
      await tmp.remove();
    }
    recordNote('loader under churn', `${counts.loads} loads (${counts.ok} ok, ${counts.refused} refused with positions, 0 rejected) during ${counts.writes} file changes`);
    expect(counts.loads).to.be.greaterThan(0);
  });
});
