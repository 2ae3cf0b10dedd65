import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** An authorization server on loopback: discovery document and JWKS, both changeable mid-test. */
export async function startIssuer() {
  let keys: JWK[] = [];
  let jwksStatus = 200;
  let jwksFetches = 0;
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/oauth2/hook/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${base}/oauth2/hook/v1/keys` }));
    } else if (req.url === '/oauth2/hook/v1/keys') {
      jwksFetches++;
      res.statusCode = jwksStatus;
      res.end(JSON.stringify({ keys }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/oauth2/hook`;
  return {
    issuer,
    setKeys: (next: JWK[]) => (keys = next),
    setStatus: (status: number) => (jwksStatus = status),
    fetches: () => jwksFetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Issuer = Awaited<ReturnType<typeof startIssuer>>;

export async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, jwk, kid };
}

/** A token as Okta's OAuth channel sends it: RS256, iss, aud, sub, iat, exp and the scopes in `scp`. */
export function signToken(
  key: { privateKey: CryptoKey; kid: string },
  issuer: string,
  audience: string,
  claims: Record<string, unknown> = {},
  exp: string | number = '5m',
): Promise<string> {
  return new SignJWT({ cid: '0oa-hook-client', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('0oa-hook-client')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key.privateKey);
}
