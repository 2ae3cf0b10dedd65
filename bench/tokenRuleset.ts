/**
 * The token rows' two rulesets, written side by side from the large ruleset's rules that apply
 * to registrations (bench/ruleset.ts): the same conditions over the same lists, once for
 * registration requests (profile updates, denies with causes) and once for token requests
 * (access-token claims, denies), so the two differ only in the hook. The user's profile is
 * `profile` in a registration and `user.profile` in a token request; everything else conditions
 * read (`email`, `emailDomain`, `ipAddress`, `data.context.request.url.value`) has the same name.
 * With `fact`, both also read one cached SQL fact keyed by the email address.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toLogic, toRuleSpec, writeLargeLists, type GenerateOptions } from './generate.js';
import { benchRules, type BenchRule, type Check } from './ruleset.js';

export interface ComparableOptions extends GenerateOptions {
  /** Adds the entitlements fact (cached) and a rule reading it, on the database named by this variable. */
  fact?: { database: string };
}

const REGISTRATION = 'self.service.registration';

/** The large ruleset's rules that decide a registration, as registration-only rules. */
function registrationRules(): BenchRule[] {
  return benchRules()
    .filter((rule) => rule.appliesTo.includes(REGISTRATION))
    .map((rule) => ({ ...rule, appliesTo: [REGISTRATION] }));
}

/** The number of rules in each of the two rulesets (without the fact's rule). */
export const COMPARABLE_RULES = registrationRules().length;

const ENTITLEMENTS_FACT = (database: string) => ({
  sql: 'SELECT array_agg(name ORDER BY name) AS names FROM entitlements WHERE email = $1',
  params: [{ var: 'email' }],
  database,
  timeout: '300ms',
  cache: '5m',
});
const HAS_ENTITLEMENTS = { '!=': [{ var: 'facts.entitlements.names' }, null] };
const ENTITLEMENTS = { var: 'facts.entitlements.names' };

export async function writeRegistrationRuleset(dir: string, options: ComparableOptions): Promise<void> {
  await writeLargeLists(dir, options);
  const rules = registrationRules().map(toRuleSpec);
  if (options.fact) {
    rules.unshift({ id: 'entitlements', description: 'bench rule: entitlements from the database', appliesTo: [REGISTRATION], when: HAS_ENTITLEMENTS, then: { update: { entitlements: ENTITLEMENTS } } });
  }
  await writeRules(dir, { defaults: { [REGISTRATION]: 'allow' }, rules }, options);
}

export async function writeTokenRuleset(dir: string, options: ComparableOptions): Promise<void> {
  await writeLargeLists(dir, options);
  const rules = registrationRules().map(toTokenRuleSpec);
  if (options.fact) {
    rules.unshift({ id: 'entitlements', description: 'bench rule: entitlements from the database', appliesTo: ['token'], when: HAS_ENTITLEMENTS, then: { access: { claims: { entitlements: ENTITLEMENTS } } } });
  }
  await writeRules(dir, { defaults: { token: 'allow' }, rules }, options);
}

async function writeRules(dir: string, spec: { defaults: Record<string, string>; rules: Array<Record<string, unknown>> }, options: ComparableOptions): Promise<void> {
  const file = {
    description: `Bench rules (${spec.rules.length}) for one hook, comparable with the other hook's.`,
    ...(options.fact ? { facts: { entitlements: ENTITLEMENTS_FACT(options.fact.database) } } : {}),
    ...spec,
  };
  // JSON is YAML (see generate.ts).
  await writeFile(path.join(dir, 'rules.yaml'), JSON.stringify(file, null, 1));
}

/** The same rule for token requests: profile paths under `user`, updates as access-token claims, a deny's message only. */
function toTokenRuleSpec(rule: BenchRule): Record<string, unknown> {
  const when = rule.when === true ? true : 'all' in rule.when ? { all: rule.when.all.map(underUser) } : { any: rule.when.any.map(underUser) };
  let then: Record<string, unknown>;
  if ('deny' in rule.then) {
    then = { deny: { message: rule.then.deny.message } };
  } else {
    const claims = Object.fromEntries(Object.entries(rule.then.update ?? {}).map(([name, computed]) => [name, underUserLogic(computed.logic)]));
    then = { ...('allow' in rule.then ? { allow: true } : {}), access: { claims } };
  }
  return { id: rule.id, description: `bench rule ${rule.id}`, appliesTo: ['token'], priority: rule.priority, when: toLogic(when), then };
}

function underUser(check: Check): Check {
  return { ...check, path: userPath(check.path) };
}

function userPath(name: string): string {
  return name.startsWith('profile.') ? `user.${name}` : name;
}

/** Every `{ var: "profile.…" }` in a JSON-Logic value, read from `user.profile.…` instead. */
function underUserLogic(logic: unknown): unknown {
  if (Array.isArray(logic)) return logic.map(underUserLogic);
  if (logic === null || typeof logic !== 'object') return logic;
  return Object.fromEntries(
    Object.entries(logic).map(([op, args]) => {
      if (op !== 'var') return [op, underUserLogic(args)];
      if (typeof args === 'string') return [op, userPath(args)];
      if (Array.isArray(args) && typeof args[0] === 'string') return [op, [userPath(args[0]), ...args.slice(1)]];
      return [op, args];
    }),
  );
}
