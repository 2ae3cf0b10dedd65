import path from 'node:path';
import { expect } from 'chai';
import type { PassThrough } from 'node:stream';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { LiveUpdates, MAX_STREAMS } from '../../src/preview/liveUpdates.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { RulesetStore } from '../../src/ruleset/RulesetStore.js';

const read = (stream: PassThrough) => String(stream.read() ?? '');

describe('preview live updates, one store listener for every page', () => {
  let store: RulesetStore;
  before(async () => {
    const loaded = await loadHookRuleset(path.join(PACKAGE_ROOT, 'rules'));
    if (!loaded.ok) throw new Error('default rules do not load');
    store = new RulesetStore(loaded.ruleset);
  });

  it('sends every open page the rejected reload, and caps how many pages can follow', () => {
    const live = new LiveUpdates(store);
    const streams = Array.from({ length: MAX_STREAMS }, () => live.open()!);
    expect(live.size).to.equal(MAX_STREAMS);
    expect(live.open()).to.equal(undefined);
    expect(store.listenerCount('rejected')).to.equal(1);
    for (const stream of streams) expect(read(stream)).to.include('"reason":"connected"');

    store.reject([{ file: path.join(store.current().dir, 'x.yaml'), line: 3, column: 7, message: 'bad' }]);
    for (const stream of streams) {
      expect(read(stream)).to.include('"reason":"rejected"').and.include('"file":"x.yaml","line":3,"column":7,"message":"bad"');
    }
    live.closeAll();
    expect(live.size).to.equal(0);
    store.removeAllListeners();
  });
});
