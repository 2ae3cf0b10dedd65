/**
 * The rule file the counters tests share: `signupsPerIp` counts registrations per IP address
 * over 10 minutes, and a rule denies past `limit`. `more` is appended to the rules.
 */
export function perIpRules(options: { limit?: number; onError?: string; message?: string; more?: string } = {}): string {
  const { limit = 5, onError, message = 'Too many sign-ups from your network.', more = '' } = options;
  return `
counters:
  signupsPerIp:
    key: { var: ipAddress }
    window: 10m
    appliesTo: [self.service.registration]
${onError ? `    onError: ${onError}\n` : ''}rules:
  - id: too-many-from-one-ip
    description: More than ${limit} sign-ups from one IP address in 10 minutes
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.signupsPerIp }, ${limit}] }
    then: { deny: { message: ${message} } }
${more}`;
}
