import { expect } from 'chai';
import fc from 'fast-check';
import { createLogger } from '../../src/log.js';
import { DECISION_LINE, maskDecisionLine, maskPii, type DecisionLine } from '../../src/maskPii.js';
import { LogSink } from './appServer.js';

/** Text that exercises every masking path: emails, IPv4, IPv6, dots and colons that are neither. */
const piiText = fc.oneof(
  fc.string(),
  fc.constantFrom('ann@example.com', 'rosario.jones@example.org', '10.0.0.1', '2001:db8::1', 'block.10.0.0.1', 'a:b', 'v1.2.3', 'no-pii', '', '@', '999.1.1.1'),
  fc.tuple(fc.string(), fc.constantFrom('bob@x.example', '192.0.2.8', '::ffff:192.0.2.1'), fc.string()).map(([a, b, c]) => a + b + c),
);

const decisionLine = fc.record(
  {
    event: fc.constant('decision'),
    eventId: fc.oneof(piiText, fc.constant(undefined)),
    decisionId: fc.uuid(),
    requestType: fc.constantFrom('self.service.registration', 'progressive.profile'),
    decision: fc.constantFrom('allow', 'deny'),
    decidedBy: fc.oneof(fc.record({ kind: fc.constantFrom('default') }), fc.record({ kind: fc.constantFrom('rule', 'error'), ruleId: piiText })),
    matchedRules: fc.array(piiText, { maxLength: 5 }),
    updatedAttributes: fc.array(piiText, { maxLength: 5 }),
    rulesetVersion: fc.stringMatching(/^[0-9a-f]{12}$/),
    latencyMs: fc.double({ noNaN: true, min: 0, max: 1e4 }),
    subject: fc.record({ login: piiText, ip: piiText }, { requiredKeys: [] }),
  },
  { requiredKeys: ['event', 'decisionId', 'requestType', 'decision', 'decidedBy', 'matchedRules', 'updatedAttributes', 'rulesetVersion', 'latencyMs', 'subject'] },
).map((fields) => ({ [DECISION_LINE]: true as const, ...fields }) as DecisionLine);

describe('the decision log line: masked by its known fields', () => {
  it('gives what the general masking walk gives, key for key and in the same order', () => {
    fc.assert(
      fc.property(decisionLine, (line) => {
        expect(JSON.stringify(maskDecisionLine(line))).to.equal(JSON.stringify(maskPii(line)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is written masked by the logger, without the brand, and as it is when pii is on', () => {
    const line: DecisionLine = {
      [DECISION_LINE]: true,
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
    const masked = new LogSink();
    createLogger({ level: 'info' }, masked).info(line, 'decision');
    expect(masked.lines[0]).to.deep.include({
      eventId: 'evt ***@example.com',
      decidedBy: { kind: 'rule', ruleId: 'block.10.0.0.x' },
      matchedRules: ['block.10.0.0.x'],
      subject: { login: '***@example.com', ip: '192.0.2.x' },
      msg: 'decision',
    });
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
