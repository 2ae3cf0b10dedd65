import { expect } from 'chai';
import { childLogger, createLogger } from '../../src/observability/log.js';
import { maskEmail, maskIp, maskPii, maskText } from '../../src/observability/maskPii.js';
import { LogSink, fixture } from './appServer.js';
import { ServeProcess } from './childProcess.js';

describe('PII masking', () => {
  it('masks emails but keeps the domain', () => {
    expect(maskEmail('ann.lee+x@Example.COM')).to.equal('***@Example.COM');
    expect(maskText('denied rosario.jones@example.com and bob@sub.example.org.')).to.equal('denied ***@example.com and ***@sub.example.org.');
    expect(maskText('no address @ here, user@localhost')).to.equal('no address @ here, user@localhost');
  });

  it('masks IP addresses down to a network', () => {
    expect(maskIp('203.0.113.77')).to.equal('203.0.113.x');
    expect(maskIp('from 10.1.2.3:443 via ::ffff:192.0.2.1')).to.equal('from 10.1.2.x:443 via ::ffff:192.0.2.x');
    expect(maskIp('2001:db8:85a3:0:0:8a2e:370:7334')).to.equal('2001:db8:85a3:x');
    expect(maskIp('2001:db8::1')).to.equal('2001:db8::x');
    expect(maskIp('version 1.2.3 at 12:30:45, hash deadbeef')).to.equal('version 1.2.3 at 12:30:45, hash deadbeef');
    expect(maskIp('999.1.1.1')).to.equal('999.1.1.1');
  });

  it('masks names and other personal attributes by field, anywhere in an object', () => {
    const error = new Error('value "ann@example.com" from 198.51.100.4 is bad');
    const masked = maskPii({
      userProfile: { firstName: 'Rosario', lastName: 'Jones', login: 'rosario.jones@example.com', mobilePhone: '+1 555 0100', employeeNumber: '42' },
      ip: '198.51.100.4',
      list: [{ displayName: 'R. Jones' }],
      err: error,
    }) as Record<string, unknown>;
    expect(masked).to.deep.include({
      userProfile: { firstName: '***', lastName: '***', login: '***@example.com', mobilePhone: '***', employeeNumber: '42' },
      ip: '198.51.100.x',
      list: [{ displayName: '***' }],
    });
    expect((masked.err as { message: string }).message).to.equal('value "***@example.com" from 198.51.100.x is bad');
  });

  it('masks whatever goes through the logger, message text included, unless pii is on', () => {
    const sink = new LogSink();
    const logger = createLogger({ level: 'info' }, sink);
    logger.info({ subject: { login: 'ann@example.com', ip: '192.0.2.8' }, err: new Error('bad ann@example.com') }, 'about ann@example.com from 192.0.2.8');
    childLogger(logger, { user: 'ann@example.com' }).info('child');
    const text = JSON.stringify(sink.lines);
    expect(text).not.to.match(/ann@|192\.0\.2\.8/);
    expect(sink.lines[0]?.err).to.include({ type: 'Error', message: 'bad ***@example.com' });
    expect(sink.lines[1]).to.include({ user: '***@example.com', msg: 'child' });
    expect(sink.lines[0]).to.deep.include({ msg: 'about ***@example.com from 192.0.2.x', subject: { login: '***@example.com', ip: '192.0.2.x' } });

    const open = new LogSink();
    createLogger({ level: 'info', pii: true }, open).info({ subject: { login: 'ann@example.com' } }, 'from 192.0.2.8');
    expect(open.lines[0]).to.deep.include({ msg: 'from 192.0.2.8', subject: { login: 'ann@example.com' } });
  });

  describe('in the output of the real process', function () {
    const body = fixture('guide-ssr-request-2022.json') as { data: { context: { request: { ipAddress: string } }; userProfile: Record<string, string> } };
    body.data.context.request.ipAddress = '203.0.113.77';
    body.data.userProfile.email = body.data.userProfile.login = 'rosario.jones@example.org'; // denied by the default rules

    async function decideOnce(env: Record<string, string>) {
      const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: 'pii-test-secret', ...env });
      try {
        const url = await serve.url();
        const response = await fetch(`${url}/registrationHook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'pii-test-secret' },
          body: JSON.stringify(body),
        });
        expect(response.status).to.equal(200);
        const decision = await serve.waitFor((line) => line.event === 'decision', 'the decision line');
        const metrics = await (await fetch(`${url}/metrics`)).text();
        serve.kill('SIGTERM');
        await serve.exited;
        return { decision, stdout: serve.raw.join('\n'), metrics };
      } finally {
        serve.kill('SIGKILL');
      }
    }

    it('logs one decision line with the subject masked by default', async () => {
      const { decision, stdout, metrics } = await decideOnce({});
      expect(decision).to.deep.include({ decision: 'deny', matchedRules: ['deny-non-example-domain'], subject: { login: '***@example.org', ip: '203.0.113.x' } });
      expect(decision).to.include.keys('eventId', 'decisionId', 'requestType', 'rulesetVersion', 'latencyMs');
      expect(stdout.split('\n').filter((line) => line.includes('"event":"decision"'))).to.have.length(1);
      for (const personal of ['rosario.jones', '203.0.113.77', 'Rosario', 'Jones', 'pii-test-secret']) expect(stdout).not.to.contain(personal);
      expect(metrics).to.contain('okta_hook_decisions_total{request_type="self.service.registration",outcome="deny",decided_by="rule",rule_id="deny-non-example-domain"} 1');
    });

    it('shows the subject as sent when LOG_PII=true', async () => {
      const { decision } = await decideOnce({ LOG_PII: 'true' });
      expect(decision.subject).to.deep.equal({ login: 'rosario.jones@example.org', ip: '203.0.113.77' });
    });
  });
});
