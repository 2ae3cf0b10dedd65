import { expect } from 'chai';
import { decisionLog, type DecisionLine } from '../../src/observability/decisionLog.js';
import { createLogger } from '../../src/observability/log.js';
import { LogSink } from './appServer.js';

describe('the decision log line', () => {
  const line: DecisionLine = {
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

  it('is the same through decisionLog (masked field by field) as through the logger\'s walk, masked or not', () => {
    const lines: DecisionLine[] = [
      line,
      { ...line, eventId: { nested: 'bob@example.org 2001:db8:1:2::9' }, decidedBy: { kind: 'default' }, subject: {} },
      { ...line, eventId: undefined, decision: 'allow', matchedRules: ['a', 'ip.198.51.100.7', 'x@y.example'], updatedAttributes: ['plan', 'ann@example.com'], subject: { login: 'not-an-email' } },
      { ...line, requestType: 'progressive.profile', rulesetVersion: '10.0.0.1', subject: { ip: '2001:db8:85a3::8a2e:370:7334' } },
    ];
    for (const pii of [false, true]) {
      const walked = new LogSink();
      const byFields = new LogSink();
      const walker = createLogger({ level: 'info', pii }, walked);
      const log = decisionLog(createLogger({ level: 'info', pii }, byFields));
      for (const each of lines) {
        walker.info(each, 'decision');
        log(each);
      }
      const withoutTime = (sink: LogSink) => sink.lines.map(({ time: _time, pid: _pid, ...rest }) => rest);
      expect(withoutTime(byFields)).to.deep.equal(withoutTime(walked));
      expect(JSON.stringify(withoutTime(byFields))).to.equal(JSON.stringify(withoutTime(walked))); // keys in the same order
    }
  });

  it('carries at most 100 characters of the login and IP address, masked or not, then a marker', () => {
    const login = `${'a'.repeat(60)}@${'b'.repeat(150)}.example.com`;
    const ip = `10.0.0.1${':'.repeat(150)}`;
    const long = { ...line, subject: { login, ip } };
    for (const pii of [false, true]) {
      const sink = new LogSink();
      decisionLog(createLogger({ level: 'info', pii }, sink))(long);
      const subject = sink.lines[0]!.subject as { login: string; ip: string };
      for (const [value, sent] of [[subject.login, login], [subject.ip, ip]] as const) {
        expect(value, String(pii)).to.match(new RegExp(`^.{100}…\\[truncated, ${pii ? sent.length : '\\d+'} chars\\]$`, 'u'));
      }
      // Masked first, then cut: the local part never shows, even when the domain is cut off.
      expect(subject.login.startsWith(pii ? 'aaaa' : '***@bbbb'), String(pii)).to.equal(true);
    }
    const short = new LogSink();
    decisionLog(createLogger({ level: 'info', pii: true }, short))({ ...line, subject: { login: 'x'.repeat(100) } });
    expect(short.lines[0]!.subject).to.deep.equal({ login: 'x'.repeat(100) });
  });

  it('masks through a child of a masking logger too', () => {
    const sink = new LogSink();
    decisionLog(createLogger({ level: 'info' }, sink).child({ worker: 1 }))(line);
    expect(sink.lines[0]).to.deep.include({ worker: 1, subject: { login: '***@example.com', ip: '192.0.2.x' } });
  });
});
