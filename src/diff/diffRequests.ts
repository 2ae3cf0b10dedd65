import path from 'node:path';
import type { LoadedCase } from '../suites/types.js';
import type { DiffRequest } from './answerChanges.js';

/**
 * The cases of both folders' suites, each once: a case written the same in both (same suite
 * file, name, request, facts, counters and lists) is one request; a case the change edited is
 * two, told apart by the side it comes from.
 */
export function suiteRequests(before: { dir: string; cases: readonly LoadedCase[] }, after: { dir: string; cases: readonly LoadedCase[] }): DiffRequest[] {
  const named = (dir: string, testCase: LoadedCase) => `${path.relative(dir, testCase.suite)} › ${testCase.name}`;
  const identity = (dir: string, c: LoadedCase) => JSON.stringify([named(dir, c), c.request, c.facts ?? null, c.counters ?? null, c.lists ?? null, c.skip]);
  const afterKeys = new Set(after.cases.map((c) => identity(after.dir, c)));
  const beforeKeys = new Set(before.cases.map((c) => identity(before.dir, c)));
  const afterNames = new Set(after.cases.map((c) => named(after.dir, c)));
  const beforeNames = new Set(before.cases.map((c) => named(before.dir, c)));
  const requests: DiffRequest[] = [];
  for (const c of after.cases) {
    const name = named(after.dir, c);
    const edited = !beforeKeys.has(identity(after.dir, c)) && beforeNames.has(name);
    requests.push({ name: edited ? `${name} (as after)` : name, case: c });
  }
  for (const c of before.cases) {
    if (afterKeys.has(identity(before.dir, c))) continue;
    const name = named(before.dir, c);
    requests.push({ name: afterNames.has(name) ? `${name} (as before)` : name, case: c });
  }
  return requests;
}
