import { expect } from 'chai';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { createLogger, logDecision } from '../../src/observability/log.js';
import { DECISION_LINE, maskDecisionLine, maskPii, type DecisionLine } from '../../src/observability/maskPii.js';
import { LogSink } from './appServer.js';
import { pino } from 'pino';

/** Text that exercises every masking path: emails, IPv4, IPv6, dots and colons that are neither. */
const piiText = fc.oneof(
  fc.string(),
  // Control characters, quotes, backslashes, non-Latin text (well-formed: a lone surrogate is not text)
  fc.string({ unit: 'binary' }).filter((t) => Buffer.from(t, 'utf8').toString('utf8') === t),
  fc.constantFrom('ann@example.com', 'rosario.jones@example.org', '10.0.0.1', '2001:db8::1', 'block.10.0.0.1', 'a:b', 'v1.2.3', 'no-pii', '', '@', '999.1.1.1'),
  fc.tuple(fc.string(), fc.constantFrom('bob@x.example', '192.0.2.8', '::ffff:192.0.2.1'), fc.string()).map(([a, b, c]) => a + b + c),
);

/** Every line written, as text: the exact bytes pino (or logDecision) produced. */
class TextSink extends Writable {
  readonly texts: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.texts.push(chunk.toString('utf8'));
    done();
  }
}

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

  it('is written by logDecision byte for byte as pino writes it: masked, open, and from a child logger', () => {
    fc.assert(
      fc.property(decisionLine, fc.boolean(), fc.boolean(), piiText, (line, pii, child, bound) => {
        const [viaPino, direct] = [new TextSink(), new TextSink()];
        const loggers = [viaPino, direct].map((sink) => {
          const logger = createLogger({ level: 'info', pii }, sink);
          return child ? logger.child({ requestId: bound }) : logger;
        });
        loggers[0]!.info(line, 'decision');
        logDecision(loggers[1]!, line);
        const withoutTime = (text: string) => text.replace(/,"time":"[^"]+"/, '');
        expect(direct.texts).to.have.length(1);
        expect(withoutTime(direct.texts[0]!)).to.equal(withoutTime(viaPino.texts[0]!));
        expect(direct.texts[0]).to.match(/,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",/);
      }),
      { numRuns: 1000 },
    );
  });

  it('is not written below the info level, and goes through pino for a logger not made by createLogger', () => {
    const line: DecisionLine = { [DECISION_LINE]: true, event: 'decision', eventId: 'e', decisionId: 'd', requestType: 'progressive.profile', decision: 'allow', decidedBy: { kind: 'default' }, matchedRules: [], updatedAttributes: [], rulesetVersion: 'v', latencyMs: 1, subject: { login: 'ann@example.com' } };
    const quiet = new LogSink();
    logDecision(createLogger({ level: 'warn' }, quiet), line);
    expect(quiet.lines).to.deep.equal([]);
    const plain = new LogSink();
    logDecision(pino({ base: null, timestamp: false }, plain), line);
    expect(plain.lines).to.have.length(1);
    expect(plain.lines[0]).to.deep.include({ level: 30, msg: 'decision', subject: { login: 'ann@example.com' } });
  });
});
