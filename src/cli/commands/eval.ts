import { readFile } from 'node:fs/promises';
import { factEnvironment, factSettings, stateSettings } from '../../config.js';
import { openCounterRuntime } from '../../counters/counterRuntime.js';
import { givenCounters, resolveCounters, type GivenCounter } from '../../counters/resolveCounters.js';
import { evaluate } from '../../engine/evaluate.js';
import type { OktaHookRequest } from '../../okta/types.js';
import type { CompiledRuleset } from '../../ruleset/CompiledRuleset.js';
import { givenFacts } from '../../facts/givenFacts.js';
import { liveSources } from '../../facts/liveSources.js';
import { resolveFacts } from '../../facts/resolveFacts.js';
import type { ResolvedFacts } from '../../facts/types.js';
import type { Json } from '../../okta/types.js';
import { oktaAnswer } from '../../okta/oktaAnswer.js';
import { loadRuleset } from '../../rules/loadRuleset.js';
import { formatRuleError } from '../../language/RuleError.js';
import { caseRequest } from '../../suites/caseRequest.js';
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

When the rules read facts (docs/facts.md), they are fetched from the sources the environment
names, as the service would (FACTS_DEADLINE_MS included), and each is shown: its source, the
time taken, whether the cache answered, and its value masked like the logs (or the failure and
the onError applied). --facts gives them by hand instead, as a JSON object such as
{"member": {"plan": "gold"}} or {"member": {"error": "timeout"}}.

Options:
  --dir <rules>           the rules folder
  --json                  print {response, decision} as JSON (the decision holds the trace)
  --on-rule-error <mode>  deny (default, as the service) or skip
  --facts <facts.json>    the facts by name, instead of fetching them
  --reveal                show fetched fact values unmasked
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
    const loaded = await loadRuleset(dir, { environment: factEnvironment() });
    if (!loaded.ok) {
      printError(loaded.errors.map(formatRuleError).join('\n'));
      return EXIT.invalidRules;
    }
    let facts: ResolvedFacts | undefined;
    if (values.facts !== undefined) {
      let given: unknown;
      try {
        given = JSON.parse(await readFile(values.facts, 'utf8'));
      } catch (error) {
        printError(`hook-rules eval: cannot read ${values.facts}: ${(error as Error).message}`);
        return EXIT.error;
      }
      if (given === null || typeof given !== 'object' || Array.isArray(given)) {
        printError('hook-rules eval: --facts is a JSON object of facts by name');
        return EXIT.error;
      }
      const made = givenFacts(loaded.ruleset, built.request, given as Record<string, Json>);
      if ('problem' in made) {
        printError(`hook-rules eval: ${made.problem}`);
        return EXIT.error;
      }
      facts = made;
    } else if (loaded.ruleset.facts.size > 0) {
      const problems: string[] = [];
      const settings = factSettings(problems);
      if (problems.length > 0) throw new UsageError(problems.join('; '));
      const sources = await liveSources(loaded.ruleset, settings);
      try {
        facts = await resolveFacts(loaded.ruleset, built.request, sources, { deadlineMs: settings.deadlineMs, reveal: values.reveal === true });
      } finally {
        await sources.close();
      }
    }
    const counters = loaded.ruleset.counters.size > 0 ? await readCounters(loaded.ruleset, built.request, given) : undefined;
    // What the service would send, Okta's size limit included.
    const evaluated = evaluate(loaded.ruleset, built.request, { onRuleError, explain: true, ...(facts ? { facts } : {}), ...(counters ? { counters: counters.input } : {}) });
    const { decision, response } = oktaAnswer(evaluated, { decisionId: 'hook-rules-eval' }, onRuleError);
    if (values.json) {
      print(JSON.stringify({ response, decision, ...(facts ? { facts: facts.trace } : {}), ...(counters ? { counters: counters.readings } : {}) }, null, 2));
    } else {
      print(`Okta response:\n${JSON.stringify(response, null, 2)}\n\n${formatExplanation(decision, loaded.ruleset, facts?.trace, counters?.readings)}`);
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

/** Given values; else the live store when STATE_URL is set (read only); else a first request's view. */
async function readCounters(ruleset: CompiledRuleset, request: OktaHookRequest, given: Record<string, GivenCounter> | undefined) {
  if (given) {
    const unknown = Object.keys(given).filter((name) => !ruleset.counters.has(name));
    if (unknown.length > 0) throw new UsageError(`--counters: no counter named ${unknown.map((n) => `"${n}"`).join(', ')} in the ruleset`);
    return givenCounters(ruleset, request, given);
  }
  const problems: string[] = [];
  const state = stateSettings(problems);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  if (!state.url) return givenCounters(ruleset, request);
  const runtime = await openCounterRuntime(state);
  try {
    await runtime.connected(2_000);
    return await resolveCounters(ruleset, request, runtime, 'peek');
  } finally {
    await runtime.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
