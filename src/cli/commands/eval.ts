import { withoutComputedValues } from '../../engine/Decision.js';
import { readFile } from 'node:fs/promises';
import { factEnvironment, factSettings, stateSettings } from '../../config.js';
import { openCounterRuntime, type OpenedRuntime } from '../../counters/counterRuntime.js';
import type { GivenCounter } from '../../counters/resolveCounters.js';
import { decide, givenProblems, type Decided, type Sources } from '../../decide/index.js';
import type { FactSources } from '../../facts/FactSources.js';
import { liveSources } from '../../facts/liveSources.js';
import { registration } from '../../hooks/registration/index.js';
import type { Json } from '../../okta/types.js';
import type { CompiledRuleset } from '../../ruleset/CompiledRuleset.js';
import { loadHookRuleset } from '../../hooks/loadHookRuleset.js';
import { formatRuleError } from '../../language/RuleError.js';
import { caseRequest } from '../../suites/caseRequest.js';
import { token } from '../../hooks/token/hook.js';
import type { RequestSpec } from '../../suites/types.js';
import { parse, print, printError, rulesDirFrom, UsageError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';
import { formatExplanation } from '../format/explanation.js';

export const evalCommand: Command = {
  name: 'eval',
  help: `hook-rules eval: decide one request and explain the decision

Usage: hook-rules eval <request.json | -> [--dir <rules>] [--json] [--on-rule-error deny|skip]
                      [--facts <facts.json>] [--reveal] [--counters <json>]

Reads a request from the file (or standard input with -): a full Okta inline hook request,
or the shorthand the rule tests use, e.g.
  {"requestType": "self.service.registration", "profile": {"email": "a@example.com"}}
  {"requestType": "progressive.profile", "submitted": {"employeeNumber": "12a4"},
   "user": {"profile": {"login": "a@example.com"}}}
decides it with the rules in --dir (default: RULES_DIR, else ./rules) exactly as the service
would, and prints Okta's response followed by an explanation: every rule considered in
evaluation order, whether it matched, what its condition saw and what each part returned.

A token inline hook request (a full payload, told by its eventType or its tokens, or the
shorthand {"requestType": "token", "grantType": "client_credentials", "scopes": ["api"]}; see
docs/token-hook.md) is decided with the token rules (appliesTo: [token]); what the rules asked but the answer leaves out, such
as an ID-token patch for a request that mints no ID token, is listed under "Not sent".

When the rules read facts (docs/facts.md), they are fetched from the sources the environment
names, as the service would (FACTS_DEADLINE_MS included), and each is shown: its source, the
time taken, whether the cache answered, and its value masked (each string, number and
true/false shown as "[string]", "[number]", "[boolean]": docs/facts.md, "Masked values"), or
the failure and the onError applied. --facts gives them by hand instead, as a JSON object such as
{"member": {"plan": "gold"}} or {"member": {"error": "timeout"}}.

Options:
  --dir <rules>           the rules folder
  --json                  print {response, decision} as JSON (the decision holds the trace;
                          a token rule's computed values only with --reveal)
  --on-rule-error <mode>  deny (default, as the service) or skip
  --facts <facts.json>    the facts by name, instead of fetching them
  --reveal                show fetched fact values unmasked, and with --json every value
                          a token rule computed
  --counters <json>       counter values to decide with, e.g. '{"signupsPerIp": 6}'
                          ({"NAME": {"error": "timeout"}} makes one fail). Without it,
                          counters are read from STATE_URL's Redis when it is set (nothing
                          is counted), else read as a first request would (1, or 0)

Exit codes: 0 decided (allow or deny), 1 unreadable or invalid request, 2 bad usage,
3 invalid rules.
`,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { dir: { type: 'string' }, json: { type: 'boolean' }, 'on-rule-error': { type: 'string' }, facts: { type: 'string' }, reveal: { type: 'boolean' }, counters: { type: 'string' } },
      1,
    );
    const input = positionals[0];
    if (input === undefined) throw new UsageError('give a request file, or - for standard input');
    const onRuleError = values['on-rule-error'] ?? 'deny';
    if (onRuleError !== 'deny' && onRuleError !== 'skip') throw new UsageError('--on-rule-error is deny or skip');
    const given = values.counters === undefined ? undefined : parseGivenCounters(values.counters);

    let body: unknown;
    try {
      const text = input === '-' ? await readStdin() : await readFile(input, 'utf8');
      body = JSON.parse(text);
    } catch (error) {
      printError(`hook-rules eval: cannot read ${input === '-' ? 'standard input' : input}: ${(error as Error).message}`);
      return EXIT.error;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      printError('hook-rules eval: the request is a JSON object');
      return EXIT.error;
    }
    const built = await caseRequest(body as RequestSpec, input === '-' ? `${process.cwd()}/-` : input);
    if (!built.ok) {
      printError(`hook-rules eval: ${built.problem}`);
      return EXIT.error;
    }

    const dir = rulesDirFrom(values.dir);
    const loaded = await loadHookRuleset(dir, { environment: factEnvironment() });
    if (!loaded.ok) {
      printError(loaded.errors.map(formatRuleError).join('\n'));
      return EXIT.invalidRules;
    }
    const ruleset = loaded.ruleset;
    let givenFacts: Record<string, Json> | undefined;
    if (values.facts !== undefined) {
      let read: unknown;
      try {
        read = JSON.parse(await readFile(values.facts, 'utf8'));
      } catch (error) {
        printError(`hook-rules eval: cannot read ${values.facts}: ${(error as Error).message}`);
        return EXIT.error;
      }
      if (read === null || typeof read !== 'object' || Array.isArray(read)) {
        printError('hook-rules eval: --facts is a JSON object of facts by name');
        return EXIT.error;
      }
      givenFacts = read as Record<string, Json>;
    }
    const problem = givenFacts ? givenProblems(ruleset, { facts: givenFacts })[0] : undefined;
    if (problem) {
      printError(`hook-rules eval: ${problem}`);
      return EXIT.error;
    }
    const unknown = Object.keys(given ?? {}).filter((name) => !ruleset.counters.has(name));
    if (unknown.length > 0) throw new UsageError(`--counters: no counter named ${unknown.map((n) => `"${n}"`).join(', ')} in the ruleset`);
    // Peek, as the preview page: facts fetched from the environment's sources unless given,
    // counters read from STATE_URL's store (nothing counted) unless given, else as a first
    // request would see them. The answer is what the service would send, Okta's limits included.
    const sources = await openSources(ruleset, givenFacts === undefined, given === undefined);
    let decided: Decided;
    try {
      const mode = { kind: 'peek', sources, given: { facts: givenFacts, counters: given }, onRuleError, explain: true, reveal: values.reveal === true } as const;
      decided = built.hook === 'token' ? await decide(token, built.request, ruleset, mode) : await decide(registration, built.request, ruleset, mode);
    } finally {
      await Promise.all([sources.facts?.close(), sources.counters?.close()]);
    }
    const { decision, response, dropped } = decided.answer;
    const facts = ruleset.facts.size > 0 ? decided.facts : undefined;
    const counters = ruleset.counters.size > 0 ? decided.counters : undefined;
    if (values.json) {
      const printed = values.reveal === true ? decision : withoutComputedValues(decision);
      print(JSON.stringify({ response, decision: printed, ...(dropped ? { dropped } : {}), ...(facts ? { facts } : {}), ...(counters ? { counters } : {}) }, null, 2));
    } else {
      // What the rules asked that the answer leaves out (a patch for a token the request does not mint…), and why.
      const notSent = dropped?.length ? `\n\nNot sent:\n${dropped.map((line) => `  ${line}`).join('\n')}` : '';
      print(`Okta response:\n${JSON.stringify(response, null, 2)}\n\n${formatExplanation(decision, ruleset, facts, counters)}${notSent}`);
    }
    return EXIT.ok;
  },
};

function parseGivenCounters(text: string): Record<string, GivenCounter> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--counters takes a JSON object, e.g. \'{"signupsPerIp": 6}\'');
  }
  const valid =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => (Number.isInteger(v) && (v as number) >= 0) || (typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'string'));
  if (!valid) throw new UsageError('--counters: each value is a whole number, or {"error": "why"}');
  return value as Record<string, GivenCounter>;
}

/** The environment's fact sources and counter store, for the stages not given by hand (and only when the ruleset has any). */
async function openSources(ruleset: CompiledRuleset, fetchFacts: boolean, readCounters: boolean): Promise<Sources & { facts?: FactSources; counters?: OpenedRuntime }> {
  const problems: string[] = [];
  const { environment, deadlineMs } = factSettings(problems);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const facts = fetchFacts && ruleset.facts.size > 0 ? await liveSources(ruleset, environment) : undefined;
  let counters: OpenedRuntime | undefined;
  if (readCounters && ruleset.counters.size > 0) {
    const state = stateSettings(problems);
    if (problems.length > 0) {
      await facts?.close();
      throw new UsageError(problems.join('; '));
    }
    if (state.url) {
      counters = await openCounterRuntime(state);
      await counters.connected(2_000);
    }
  }
  return { deadlineMs, ...(facts ? { facts } : {}), ...(counters ? { counters } : {}) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
