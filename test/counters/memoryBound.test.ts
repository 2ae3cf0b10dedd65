import { expect } from 'chai';
import { MemoryStore } from '../../src/counters/memoryStore.js';
import { loadConfig } from '../../src/config.js';
import { samples } from '../helpers/metricSamples.js';
import { startTestServer } from '../helpers/server.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { perIpRules } from './perIpRules.js';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000;

describe('the in-memory counter store is bounded', function () {
  this.timeout(60_000);

  it('keys that keep changing stay within the bound; the least recently used go first and count from zero again', async () => {
    const store = new MemoryStore(100);
    // 1,000 keys of one entry each: each weighs 2 (its entry and itself), so 50 fit.
    for (let i = 0; i < 1_000; i++) {
      await store.hit(`k${i}`, `e${i}`, 10 * MINUTE, T0 + i);
      expect(store.usage().entries).to.be.at.most(100);
    }
    expect(store.usage()).to.deep.equal({ entries: 100, maxEntries: 100, evictions: 950 });
    // The newest keys are kept, the oldest went.
    expect(await store.peek('k999', 'other', 10 * MINUTE, T0 + 1_000, false)).to.equal(1);
    expect(await store.peek('k0', 'other', 10 * MINUTE, T0 + 1_000, false)).to.equal(0);

    // A key in use survives a flood of new ones: using it makes it the most recent.
    await store.hit('busy', 'b1', 10 * MINUTE, T0 + 2_000);
    await store.hit('busy', 'b2', 10 * MINUTE, T0 + 2_000);
    for (let i = 0; i < 200; i++) {
      await store.hit(`flood${i}`, `f${i}`, 10 * MINUTE, T0 + 2_000 + i);
      await store.hit('busy', 'b2', 10 * MINUTE, T0 + 2_000 + i); // a retry: read, not added
    }
    expect(await store.peek('busy', 'other', 10 * MINUTE, T0 + 3_000, false)).to.equal(2);
    expect(store.usage().entries).to.be.at.most(100);
    await store.close();
  });

  it('one key never outgrows the bound: its oldest entries make room, so its count stays at the most', async () => {
    const store = new MemoryStore(100);
    let last = 0;
    for (let i = 0; i < 500; i++) last = await store.hit('one', `e${i}`, 10 * MINUTE, T0 + i);
    expect(last).to.equal(99);
    expect(store.usage()).to.deep.equal({ entries: 100, maxEntries: 100, evictions: 0 });
    await store.close();
  });

  it('reservations count towards the bound, and releasing one gives its room back', async () => {
    const store = new MemoryStore(100);
    const { reserved } = await store.reserve('k', 'e1', 10 * MINUTE, 10_000, T0);
    expect(reserved).to.equal(true);
    // The log key (1) and the reservations' key (1 + its entry).
    expect(store.usage().entries).to.equal(3);
    await store.release('k', 'e1');
    expect(store.usage().entries).to.equal(2);
    await store.close();
  });

  it('STATE_MEMORY_MAX_ENTRIES sets the bound (default 100000); a bad value is a configuration problem', () => {
    expect(loadConfig({}).state.memoryMaxEntries).to.equal(100_000);
    expect(loadConfig({ STATE_MEMORY_MAX_ENTRIES: '5000' }).state.memoryMaxEntries).to.equal(5_000);
    for (const bad of ['50', 'lots', '1e6', '-1']) {
      expect(() => loadConfig({ STATE_MEMORY_MAX_ENTRIES: bad }), bad).to.throw(/STATE_MEMORY_MAX_ENTRIES: .* is not a whole number from 100 to 100000000/);
    }
  });

  it('through the hook: sign-ups from ever new addresses stay within the bound, and /metrics says so', async () => {
    const rules = await tempRulesDir({ 'rules.yaml': perIpRules() });
    const server = await startTestServer({ RULES_DIR: rules.dir, STATE_MEMORY_MAX_ENTRIES: '100' });
    try {
      for (let i = 0; i < 300; i++) {
        const ip = `198.51.${Math.floor(i / 250)}.${i % 250}`;
        const answer = await server.post('/registrationHook', {
          eventId: `bound-${i}`,
          requestType: 'self.service.registration',
          data: { context: { request: { ipAddress: ip } }, userProfile: { email: 'a@example.com' } },
        });
        expect(answer.status).to.equal(200);
      }
      const metrics = samples(await (await fetch(`${server.url}/metrics`)).text());
      // 300 keys of weight 2 through a bound of 100: 50 kept, 250 evicted.
      expect(metrics.get('okta_hook_counter_memory_max_entries')).to.equal(100);
      expect(metrics.get('okta_hook_counter_memory_entries')).to.equal(100);
      expect(metrics.get('okta_hook_counter_memory_evictions_total')).to.equal(250);
    } finally {
      await server.close();
      await rules.remove();
    }
  });
});
