/** Own property names of the built-in prototypes, to prove that no request added or removed any. */
const WATCHED = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype, Number: Number.prototype };

/** Keys hostile payloads try to plant; none may ever be readable from a fresh object. */
export const PLANTED_KEYS = ['polluted', 'isAdmin', 'allow', 'registration', 'x'];

export function prototypeSnapshot(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(WATCHED).map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort()]));
}

export function pollutionProblems(before: Record<string, string[]>): string[] {
  const problems: string[] = [];
  const after = prototypeSnapshot();
  for (const name of Object.keys(before)) {
    if (JSON.stringify(before[name]) !== JSON.stringify(after[name])) problems.push(`${name}.prototype keys changed`);
  }
  const fresh: Record<string, unknown> = {};
  for (const key of PLANTED_KEYS) {
    if (fresh[key] !== undefined) problems.push(`({}).${key} is ${String(fresh[key])}`);
    if ((([] as unknown) as Record<string, unknown>)[key] !== undefined) problems.push(`[].${key} is defined`);
  }
  return problems;
}
