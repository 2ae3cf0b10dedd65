import { expect } from 'chai';
import { createLogger } from '../../src/observability/log.js';
import { maskIp, maskPii, maskText } from '../../src/observability/maskPii.js';
import { LogSink } from './appServer.js';

describe('log lines: credentials and the cheap paths of masking', () => {
  const line = () => ({
    req: { headers: { authorization: 'Bearer abc.def', host: 'x' } },
    call: { authorization: 'hook-secret' },
    upstream: { headers: { authorization: 'Basic Zm9vOmJhcg==' } },
  });

  it('redacts authorization values whether or not personal data is masked', () => {
    for (const pii of [false, true]) {
      const sink = new LogSink();
      createLogger({ level: 'info', pii }, sink).info(line(), 'request');
      const text = JSON.stringify(sink.lines[0]);
      for (const secret of ['abc.def', 'hook-secret', 'Zm9vOmJhcg==']) expect(text, `pii ${pii}`).not.to.contain(secret);
      expect(sink.lines[0]).to.deep.include({ req: { headers: { authorization: '[redacted]', host: 'x' } }, call: { authorization: '[redacted]' } });
    }
  });

  it('masking also redacts authorization deeper down, whatever the value is', () => {
    expect(maskPii({ a: { b: { c: { Authorization: ['x'] } } } })).to.deep.equal({ a: { b: { c: { Authorization: '[redacted]' } } } });
  });

  it('leaves text without "@", "." or ":" as it is, and masks what has them', () => {
    for (const plain of ['deny-disposable-domain', 'GOOVWaHS0Uqa8sfYpPGHWg', 'abcdef012345', '']) expect(maskText(plain)).to.equal(plain);
    expect(maskText('a@b.example')).to.equal('***@b.example');
    expect(maskIp('10.0.0.1')).to.equal('10.0.0.x');
    expect(maskIp('2001:db8::1')).to.equal('2001:db8::x');
  });

  it('classifies a key the same however it is written, each time', () => {
    for (let i = 0; i < 3; i++) {
      expect(maskPii({ EMAIL: 'a@b.example', email: 'a@b.example', FirstName: 'Ann', IpAddress: '10.1.2.3' })).to.deep.equal({
        EMAIL: '***@b.example',
        email: '***@b.example',
        FirstName: '***',
        IpAddress: '10.1.2.x',
      });
    }
  });
});
