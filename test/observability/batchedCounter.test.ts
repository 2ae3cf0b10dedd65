import { expect } from 'chai';
import { Counter, Registry } from 'prom-client';
import { BatchedCounter } from '../../src/observability/batchedCounter.js';

describe('BatchedCounter: counts kept until prom-client collects them', () => {
  it('serves the same text as a prom-client counter counted the same way, scrape after scrape', async () => {
    const batched = new Registry();
    const plain = new Registry();
    const config = { name: 'okta_hook_example_total', help: 'an example', labelNames: ['rule_id', 'outcome'] as const };
    const counter = new BatchedCounter({ ...config, registers: [batched] });
    const reference = new Counter({ ...config, registers: [plain] });
    const count = (ruleId: string, outcome: string) => {
      counter.inc(`${ruleId} ${outcome}`, () => ({ rule_id: ruleId, outcome }));
      reference.inc({ rule_id: ruleId, outcome });
    };
    expect(await batched.metrics()).to.equal(await plain.metrics()); // nothing counted yet
    count('b', 'deny');
    count('a', 'allow');
    count('b', 'deny');
    expect(await batched.metrics()).to.equal(await plain.metrics());
    expect(await batched.metrics()).to.include('okta_hook_example_total{rule_id="b",outcome="deny"} 2');
    count('c', 'allow');
    count('b', 'deny');
    expect(await batched.metrics()).to.equal(await plain.metrics());
    expect(await batched.metrics()).to.include('okta_hook_example_total{rule_id="b",outcome="deny"} 3');
    // Read as JSON too (what the cluster's aggregation reads from each worker).
    count('a', 'allow');
    expect(await batched.getMetricsAsJSON()).to.deep.equal(await plain.getMetricsAsJSON());
  });

  it('builds the labels once per key', () => {
    const counter = new BatchedCounter({ name: 'okta_hook_example2_total', help: 'an example', labelNames: ['rule_id'] as const, registers: [new Registry()] });
    let built = 0;
    for (let i = 0; i < 5; i++) counter.inc('r1', () => (built++, { rule_id: 'r1' }));
    expect(built).to.equal(1);
  });
});
