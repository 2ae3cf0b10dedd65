import { expect } from 'chai';
import { Redis } from 'ioredis';
import { StoreError, type CounterStore } from '../../src/counters/CounterStore.js';
import { MemoryStore } from '../../src/counters/memoryStore.js';
import { RedisStore } from '../../src/counters/redisStore.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000;

// The same behaviour from both stores: memory (one process) and a real redis-server.
for (const kind of ['memory', 'redis'] as const) {
  describe(`counter store: ${kind}`, function () {
    let redis: TestRedis | undefined;
    let store: CounterStore;
    let n = 0;
    const key = () => `test:{k${++n}}`;

    before(async function () {
      if (kind === 'redis') redis = await startRedis();
    });
    after(async () => {
      await redis?.remove();
    });
    beforeEach(async () => {
      store = kind === 'redis' ? new RedisStore({ url: redis!.url, commandTimeoutMs: 2_000 }) : new MemoryStore();
      if (store instanceof RedisStore) await store.ready(5_000);
    });
    afterEach(() => store.close());

    it('counts every request in the window, this one included, and lets old ones slide out', async () => {
      const k = key();
      expect(await store.hit(k, 'e1', 10 * MINUTE, T0)).to.equal(1);
      expect(await store.hit(k, 'e2', 10 * MINUTE, T0 + 1 * MINUTE)).to.equal(2);
      expect(await store.hit(k, 'e3', 10 * MINUTE, T0 + 9 * MINUTE)).to.equal(3);
      // At T0+10m the first request is exactly a window old: out.
      expect(await store.hit(k, 'e4', 10 * MINUTE, T0 + 10 * MINUTE)).to.equal(3);
      expect(await store.hit(k, 'e5', 10 * MINUTE, T0 + 19 * MINUTE + 1)).to.equal(2); // e4 and e5
      expect(await store.hit(k, 'e6', 10 * MINUTE, T0 + 40 * MINUTE)).to.equal(1);
    });

    it('counts a retried request (same eventId) once within the window', async () => {
      const k = key();
      expect(await store.hit(k, 'evt-a', MINUTE, T0)).to.equal(1);
      expect(await store.hit(k, 'evt-a', MINUTE, T0 + 1_000)).to.equal(1);
      expect(await store.hit(k, 'evt-b', MINUTE, T0 + 2_000)).to.equal(2);
      expect(await store.hit(k, 'evt-a', MINUTE, T0 + 3_000)).to.equal(2);
      // Once it has left the window, the same id is a new entry.
      expect(await store.hit(k, 'evt-a', MINUTE, T0 + MINUTE + 1)).to.equal(2);
    });

    it('keeps keys apart', async () => {
      const a = key();
      const b = key();
      await store.hit(a, 'e1', MINUTE, T0);
      await store.hit(a, 'e2', MINUTE, T0);
      expect(await store.hit(b, 'e1', MINUTE, T0)).to.equal(1);
    });

    it('count allowed: a reservation counts while the request is decided, stays when confirmed, goes when released', async () => {
      const k = key();
      expect(await store.reserve(k, 'e1', MINUTE, 10_000, T0)).to.deep.equal({ value: 1, reserved: true });
      expect(await store.reserve(k, 'e2', MINUTE, 10_000, T0)).to.deep.equal({ value: 2, reserved: true });
      await store.confirm(k, 'e1', MINUTE, T0);
      await store.release(k, 'e2');
      expect(await store.reserve(k, 'e3', MINUTE, 10_000, T0 + 1)).to.deep.equal({ value: 2, reserved: true });
      // A retry of a counted or reserved request takes no second place.
      expect(await store.reserve(k, 'e1', MINUTE, 10_000, T0 + 2)).to.deep.equal({ value: 2, reserved: false });
      expect(await store.reserve(k, 'e3', MINUTE, 10_000, T0 + 2)).to.deep.equal({ value: 2, reserved: false });
      // An unsettled reservation (its process died) expires after its hold.
      expect(await store.reserve(k, 'e4', MINUTE, 10_000, T0 + 20_000)).to.deep.equal({ value: 2, reserved: true });
      expect(await store.peek(k, 'e5', MINUTE, T0 + 25_000, true)).to.equal(3); // e1, e4 reserved, this one
      // Confirmed entries slide out like attempts; e4's reservation has expired too.
      expect(await store.peek(k, 'e5', MINUTE, T0 + MINUTE + 1, true)).to.equal(1);
    });

    it('50 concurrent reservations at a limit of 10: exactly 10 see a value within the limit', async () => {
      const k = key();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.reserve(k, `e${i}`, MINUTE, 10_000, T0)));
      const values = results.map((r) => r.value).sort((a, b) => a - b);
      expect(values).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(values.filter((v) => v <= 10)).to.have.length(10);
    });

    it('peek reads without recording, with or without this request', async () => {
      const k = key();
      expect(await store.peek(k, 'e1', MINUTE, T0, true)).to.equal(1);
      expect(await store.peek(k, 'e1', MINUTE, T0, false)).to.equal(0);
      await store.hit(k, 'e1', MINUTE, T0);
      expect(await store.peek(k, 'e1', MINUTE, T0, true)).to.equal(1); // already counted
      expect(await store.peek(k, 'e2', MINUTE, T0, true)).to.equal(2);
      expect(await store.hit(k, 'e2', MINUTE, T0)).to.equal(2); // peek recorded nothing
    });

    it('reset clears a key and says how many entries went', async () => {
      const k = key();
      await store.hit(k, 'e1', MINUTE, T0);
      await store.hit(k, 'e2', MINUTE, T0);
      expect(await store.reset(k)).to.equal(2);
      expect(await store.hit(k, 'e3', MINUTE, T0)).to.equal(1);
    });
  });
}

describe('counter store: redis names its failures', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  before(async () => (redis = await startRedis()));
  after(async () => redis.remove());

  it('error when Redis answers with an error; unavailable while the connection is down; timeout when a command outlives its time; all as StoreError.kind', async () => {
    const store = new RedisStore({ url: redis.url, commandTimeoutMs: 300 });
    try {
      await store.ready(5_000);
      // A key of another type: Redis answers the script with WRONGTYPE, an answer, not an outage.
      const plain = new Redis(redis.url);
      await plain.set('test:{wrongtype}', 'a string');
      await plain.quit();
      const answered = await store.hit('test:{wrongtype}', 'e0', MINUTE, T0).catch((error: unknown) => error);
      expect(answered).to.be.instanceOf(StoreError);
      expect((answered as StoreError).kind).to.equal('error');
      expect((answered as StoreError).message).to.match(/WRONGTYPE/);
      redis.pause(); // SIGSTOP: the connection stays up, the commands get no answer
      const late = await store.hit('test:{named}', 'e1', MINUTE, T0).catch((error: unknown) => error);
      redis.resume();
      expect(late).to.be.instanceOf(StoreError);
      expect((late as StoreError).kind).to.equal('timeout');
      await redis.stop();
      const down = await store.hit('test:{named}', 'e2', MINUTE, T0).catch((error: unknown) => error);
      expect(down).to.be.instanceOf(StoreError);
      expect((down as StoreError).kind).to.equal('unavailable');
    } finally {
      await store.close();
    }
  });
});
