import path from 'node:path';
import type { FactEnvironment } from '../../src/facts/compileFact.js';
import { FactSources, type FactSourcesOptions } from '../../src/facts/FactSources.js';
import type { CompiledRuleset } from '../../src/ruleset/CompiledRuleset.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { formatRuleError } from '../../src/language/RuleError.js';
import type { OktaHookRequest } from '../../src/okta/types.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { tempRules } from '../helpers/tempRules.js';

export const MEMBERS_SEED = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'facts', 'members.sql');
/** Each run of this seed adds a row with the moment it ran. */
export const SEED_COUNTER = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'facts', 'seed-counter.sql');

/** A rule file that denies unless the member fact finds a row, and copies the plan. */
export function memberRules(options: { timeout?: string; cache?: string; onError?: string; sql?: string } = {}): string {
  return `facts:
  member:
    sql: ${JSON.stringify(options.sql ?? 'SELECT plan, status, birth_date FROM members WHERE member_number = $1 AND birth_date = $2::date')}
    params: [{ var: profile.memberNumber }, { var: profile.birthDate }]
    database: MEMBERS_DB
    timeout: ${options.timeout ?? '1s'}
${options.cache ? `    cache: ${options.cache}\n` : ''}${options.onError ? `    onError: ${options.onError}\n` : ''}rules:
  - id: members-only
    description: only members may register
    appliesTo: [self.service.registration]
    when: { "!": [{ var: facts.member }] }
    then: { deny: { message: Only members may register. } }
  - id: copy-plan
    description: the plan goes to the profile
    appliesTo: [self.service.registration]
    when: { var: facts.member }
    then: { allow: true, update: { plan: { var: facts.member.plan } } }
`;
}

export function memberRequest(memberNumber: string, birthDate: string): OktaHookRequest {
  return { requestType: 'self.service.registration', data: { userProfile: { email: 'ann@example.com', memberNumber, birthDate } } };
}

/** Loads rule texts into a real temporary folder, with the given environment for the facts. */
export async function loadWith(files: Record<string, string>, env: NodeJS.ProcessEnv): Promise<CompiledRuleset> {
  const t = await tempRules(files);
  try {
    const environment: FactEnvironment = { env, production: false };
    const loaded = await loadHookRuleset(t.dir, { environment });
    if (!loaded.ok) throw new Error(loaded.errors.map(formatRuleError).join('\n'));
    return loaded.ruleset;
  } finally {
    await t.cleanup();
  }
}

export function sourcesFor(env: NodeJS.ProcessEnv, options: Partial<FactSourcesOptions> = {}): FactSources {
  return new FactSources({ env, deadlineMs: 2000, ...options });
}
