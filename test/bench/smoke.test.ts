import { expect } from 'chai';
import { formatResult, runBench, type BenchOptions } from '../../bench/run.js';

/**
 * A smoke run of `npm run bench`: a few requests per row and a small list, so the harness
 * keeps working. No time is asserted (machines are noisy); only that every server answered
 * the mix as expected and every figure was produced.
 */
describe('npm run bench (smoke)', function () {
  this.timeout(120_000);

  it('runs every row and the in-process figures, with the same decisions from both engines', async () => {
    const options: BenchOptions = { duration: 0, amount: 20, connections: 2, listSize: 1000, rounds: 1, inProcess: { iterations: 50, scaling: [10, 1000] }, pin: false };
    const result = await runBench(options);

    expect(result.rows.map((r) => r.name)).to.have.length(5);
    for (const row of result.rows) {
      expect(row.errors, `${row.name} errors`).to.equal(0);
      expect(row.requestsPerSecond, row.name).to.be.greaterThan(0);
    }
    // The large ruleset decides the same through this service and through json-rules-engine:
    // same commands (allow/deny, profile updates) and same user-facing errors.
    const [, , , service, jre] = result.rows;
    const visible = (answers: unknown[]) => answers.map((a) => ({ commands: (a as { commands: unknown }).commands, error: (a as { error?: unknown }).error }));
    expect(visible(jre!.answers)).to.deep.equal(visible(service!.answers));
    expect(JSON.stringify(service!.answers)).to.include('"DENY"').and.include('com.okta.user.profile.update');

    const f = result.inProcess;
    expect(f.largeRules).to.be.at.least(50);
    expect(f.listScaling.map((s) => s.entries)).to.deep.equal([10, 1000]);
    for (const value of [f.evalUs.default, f.evalUs.large, f.loadMs, f.reload.longestPauseMs, f.rssMb.loaded]) expect(value).to.be.a('number').and.greaterThan(0);
    expect(formatResult(result, options)).to.include('| server | req/s |');
  });
});
