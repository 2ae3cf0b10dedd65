import type { OktaHookRequest } from '../../okta/types.js';

/** Who the decision was about: the login (or email) and the end user's IP address, as Okta sent them. */
export function registrationSubject(request: OktaHookRequest): { login?: string; ip?: string } {
  const { data } = request;
  const profile = data.userProfile ?? data.context?.user?.profile ?? data.user?.profile ?? {};
  const login = profile.login ?? profile.email;
  const ip = data.context?.request?.ipAddress;
  const subject: { login?: string; ip?: string } = {};
  if (typeof login === 'string') subject.login = login;
  if (typeof ip === 'string') subject.ip = ip;
  return subject;
}
