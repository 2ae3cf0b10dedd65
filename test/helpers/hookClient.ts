/** POSTs a self-service registration for `email` to a running server; returns Okta's answer. */
export async function register(url: string, email: string): Promise<{ decision: string; version: string; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/registrationHook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestType: 'self.service.registration', data: { userProfile: { email } } }),
  });
  if (response.status !== 200) throw new Error(`hook answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { debugContext: Record<string, string> };
  return { decision: body.debugContext.decision!, version: body.debugContext.rulesetVersion!, body };
}

/** Polls `check` until it returns a value other than undefined; gives up after `tries` (no timing assertion). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, tries = 200, everyMs = 50): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
