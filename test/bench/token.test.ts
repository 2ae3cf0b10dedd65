import { expect } from 'chai';
import { formatTokenRows, REGISTRATION_RATE_ROW, runTokenBench, TOKEN_RATE_ROW, tokenTargetLines, type TokenBenchOptions, type TokenResult } from '../../bench/token.js';
import type { SideBySide } from '../../bench/servers/sideBySide.js';

/**
 * A smoke run of the token rows of `npm run bench`: a few bursts and a second at a low rate, a
 * small list, a real PostgreSQL server. No time is asserted (machines are noisy); only that
 * each server answered as the rows say (token patches and refusals, registration allows and
 * denies, the cached fact's claim) and every figure was produced and printed.
 */
describe('npm run bench: the token rows (smoke)', function () {
  this.timeout(180_000);

  it('measures the token and registration hooks on the same rules, and both at a fixed rate with a cached fact', async () => {
    const options: TokenBenchOptions = { connections: 2, pin: false, listSize: 1000, pairs: 2, burst: 40, warmUp: 40, duration: 1, rate: 50, rounds: 1 };
    const result = await runTokenBench(options);

    expect(result.rules).to.be.at.least(40);
    const [allowed, denied] = result.answers.token as Array<{ commands?: Array<{ type: string; value: Array<{ op: string; path: string }> }>; error?: { errorSummary: string } }>;
    expect(allowed!.commands!.map((c) => c.type)).to.deep.equal(['com.okta.access.patch']);
    expect(allowed!.commands![0]!.value.map((op) => op.path)).to.include.members(['/claims/displayName', '/claims/emailDomain']);
    expect(denied!.error!.errorSummary).to.equal('Use a permanent email address.');
    expect(JSON.stringify(result.answers.registration)).to.include('"ALLOW"').and.include('"DENY"');
    // The fact was read from PostgreSQL (and cached) before the rate rows were loaded.
    for (const answer of result.answers.tokenFact) expect(JSON.stringify(answer)).to.include('"path":"/claims/entitlements","value":["billing","reports"]');
    for (const answer of result.answers.registrationFact) expect(JSON.stringify(answer)).to.include('"entitlements":["billing","reports"]');

    for (const measured of [result.cpu, result.body]) {
      expect(measured.ratios).to.have.length(2);
      for (const ratio of measured.ratios) expect(ratio).to.be.greaterThan(0);
    }
    expect(result.rate.map((row) => row.name)).to.deep.equal([TOKEN_RATE_ROW, REGISTRATION_RATE_ROW]);
    for (const row of result.rate) {
      expect(row.errors, row.name).to.equal(0);
      expect(row.requestsPerSecond, row.name).to.be.greaterThan(0);
    }
    const printed = formatTokenRows(result, options);
    expect(printed).to.include(`| ${TOKEN_RATE_ROW} | `).and.include(`| ${REGISTRATION_RATE_ROW} | `);
    expect(printed).to.include('Targets (token hook):');
  });

  it('says which token targets a run meets, from its own figures', () => {
    const sideBySide = (ratios: number[], base = 100): SideBySide => ({ ratios, costs: [ratios.map((r) => r * base), ratios.map(() => base)] });
    const row = (name: string, p99Ms: number, errors = 0) => ({ name, requestsPerSecond: 1000, p50Ms: 1, p99Ms, maxMs: p99Ms + 5, cpuUsPerRequest: 300, errors });
    const run = (cpu: number[], p99Ms: number, errors = 0): Pick<TokenResult, 'cpu' | 'body' | 'rate'> => ({
      cpu: sideBySide(cpu),
      body: sideBySide([1.2, 1.3, 1.25], 40),
      rate: [row(TOKEN_RATE_ROW, p99Ms, errors), row(REGISTRATION_RATE_ROW, 8)],
    });
    expect(tokenTargetLines(run([1.05, 1.08, 1.02], 12), { rate: 1000 })).to.deep.equal([
      'Targets (token hook):',
      "- CPU per token request within 10 % of a registration request with the same rules: +5 %, ratio 1.050, median of 3 pairs side by side (met); of that, the bigger body alone (on the limit, 10th-percentile bursts): 8.0 µs per request, 8 % of a registration request's 100.0 µs",
      "- p99 under 20 ms at 1,000 token requests/s with a cached fact: 12 ms at 1,000 req/s, 0 errors (met); 1.50× the registration hook's 8 ms at the same rate with the same rules and fact",
    ]);
    const worse = tokenTargetLines(run([1.3, 1.25, 1.35], 20), { rate: 1000 });
    expect(worse[1]).to.include('+30 %, ratio 1.300').and.include('(NOT met)');
    expect(worse[2]).to.include('20 ms at 1,000 req/s, 0 errors (NOT met); 2.50×');
    expect(tokenTargetLines(run([1], 5, 3), { rate: 1000 })[2]).to.include('3 errors (NOT met)');
  });
});
