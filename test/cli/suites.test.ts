import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { runCli } from '../helpers/runCli.js';

// The shipped rules and every example carry their own suite; each must pass through the CLI,
// with every rule exercised.
const folders = ['rules', ...readdirSync(path.join(PACKAGE_ROOT, 'examples')).map((name) => path.join('examples', name))];

describe('rule test suites shipped with the rules and the examples (hook-rules test)', () => {
  for (const folder of folders) {
    it(`${folder}: every case passes and every rule is exercised`, async () => {
      const result = await runCli(['test', folder, '--min-coverage', '100']);
      expect(result.stderr, result.stdout).to.equal('');
      expect(result.code, result.stdout).to.equal(0);
      expect(result.stdout).to.match(/Rule tests: [1-9]\d* passed, 0 failed/);
    });
  }
});
