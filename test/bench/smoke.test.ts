import { expect } from 'chai';
import { formatResult, runBench, targetLines, type BenchOptions, type BenchResult } from '../../bench/run.js';

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
      // Read from /proc on Linux (20 requests may use less than one clock tick: 0 is possible).
      if (process.platform === 'linux') expect(row.cpuUsPerRequest, `${row.name} CPU`).to.be.a('number').and.at.least(0);
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
    for (const value of [f.evalUs.default, f.evalUs.large, f.loadMs, f.reload.longestPauseMs, f.rssMb.loaded, f.logLineUs]) {
      expect(value).to.be.a('number').and.greaterThan(0);
    }
    const printed = formatResult(result, options);
    expect(printed).to.include('| server | req/s |');
    // The targets are printed with this run's own figures.
    const large = result.rows.find((r) => r.name === 'okta-hook-rules, large ruleset')!;
    expect(printed).to.include(`throughput ≥ 90 % of the limit: ${(large.ratio * 100).toFixed(0)} %`);
    expect(printed).to.include(`longest pause ${f.reload.longestPauseMs} ms`);
  });

  it('says which targets a run meets, from its own figures', () => {
    const run = (ratio: number, evalUs: [number, number], pauseMs: number) =>
      ({
        rows: [{ name: 'okta-hook-rules, large ruleset', requestsPerSecond: 1, p50Ms: 1, p99Ms: 1, errors: 0, answers: [], ratio, ratioToDuties: ratio * 1.5, cpuUsPerRequest: undefined }],
        inProcess: { listScaling: [{ entries: 10, evalUs: evalUs[0] }, { entries: 200_000, evalUs: evalUs[1] }], reload: { ms: 1, longestPauseMs: pauseMs } },
      }) as unknown as BenchResult;
    expect(targetLines(run(0.43, [8, 7.6], 22.3))).to.deep.equal([
      'Targets (large ruleset):',
      "- throughput ≥ 90 % of the limit: 43 % (NOT met); 65 % of the limit with the hook's duties (docs/performance.md: why the first cannot be met)",
      '- evaluation flat as lists grow: 10 → 200,000 entries, -5 % (met)',
      '- a reload never stalls requests for more than 50 ms: longest pause 22.3 ms (met)',
    ]);
    const withCpu = run(0.43, [8, 7.6], 22.3);
    withCpu.rows.unshift({ ...withCpu.rows[0]!, name: 'limit', cpuUsPerRequest: 100 });
    withCpu.rows[1]!.cpuUsPerRequest = 250;
    expect(targetLines(withCpu)[2]).to.equal('  by server CPU per request: 100 µs (limit) / 250 µs = 40 %');
    const worse = targetLines(run(0.95, [8, 16], 50.1));
    expect(worse[1]).to.match(/95 % \(met\)/);
    expect(worse[2]).to.include('+100 % (NOT met)');
    expect(worse[3]).to.include('50.1 ms (NOT met)');
  });
});
