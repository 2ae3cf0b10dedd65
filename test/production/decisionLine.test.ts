import { expect } from 'chai';
import { createLogger } from '../../src/observability/log.js';
import { LogSink } from './appServer.js';

describe('the decision log line', () => {
  const line = {
    event: 'decision',
    eventId: 'evt ann@example.com',
    decisionId: 'd1',
    requestType: 'self.service.registration',
    decision: 'deny',
    decidedBy: { kind: 'rule', ruleId: 'block.10.0.0.1' },
    matchedRules: ['block.10.0.0.1'],
    updatedAttributes: [],
    rulesetVersion: 'abc',
    latencyMs: 0.5,
    subject: { login: 'ann@example.com', ip: '192.0.2.8' },
  };

  it('is written masked by the logger, and as it is when pii is on, with its keys in order', () => {
    const masked = new LogSink();
    createLogger({ level: 'info' }, masked).info(line, 'decision');
    expect(masked.lines[0]).to.deep.include({
      eventId: 'evt ***@example.com',
      decidedBy: { kind: 'rule', ruleId: 'block.10.0.0.x' },
      matchedRules: ['block.10.0.0.x'],
      subject: { login: '***@example.com', ip: '192.0.2.x' },
      msg: 'decision',
    });
    expect(masked.lines[0]!.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const open = new LogSink();
    createLogger({ level: 'info', pii: true }, open).info(line, 'decision');
    expect(open.lines[0]).to.deep.include({ eventId: 'evt ann@example.com', subject: { login: 'ann@example.com', ip: '192.0.2.8' } });
    for (const sink of [masked, open]) {
      expect(Object.keys(sink.lines[0]!)).to.deep.equal([
        'level', 'time', 'service', 'pid', 'event', 'eventId', 'decisionId', 'requestType', 'decision', 'decidedBy', 'matchedRules', 'updatedAttributes', 'rulesetVersion', 'latencyMs', 'subject', 'msg',
      ]);
    }
  });
});
