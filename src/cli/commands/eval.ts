import { readFile } from 'node:fs/promises';
import { evaluate } from '../../engine/evaluate.js';
import { oktaAnswer } from '../../okta/oktaAnswer.js';
import { loadRuleset } from '../../rules/loadRuleset.js';
import { formatRuleError } from '../../rules/RuleError.js';
import { caseRequest } from '../../suites/caseRequest.js';
import type { RequestSpec } from '../../suites/types.js';
import { parse, print, printError, rulesDirFrom, UsageError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';
import { formatExplanation } from '../format/explanation.js';

export const evalCommand: Command = {
  name: 'eval',
  help: `hook-rules eval: decide one request and explain the decision

Usage: hook-rules eval <request.json | -> [--dir <rules>] [--json] [--on-rule-error deny|skip]

Reads a request from the file (or standard input with -): a full Okta inline hook request,
or the shorthand the rule tests use, e.g.
  {"requestType": "self.service.registration", "profile": {"email": "a@example.com"}}
  {"requestType": "progressive.profile", "submitted": {"employeeNumber": "12a4"},
   "user": {"profile": {"login": "a@example.com"}}}
decides it with the rules in --dir (default: RULES_DIR, else ./rules) exactly as the service
would, and prints Okta's response followed by an explanation: every rule considered in
evaluation order, whether it matched, what its condition saw and what each part returned.

Options:
  --dir <rules>           the rules folder
  --json                  print {response, decision} as JSON (the decision holds the trace)
  --on-rule-error <mode>  deny (default, as the service) or skip

Exit codes: 0 decided (allow or deny), 1 unreadable or invalid request, 2 bad usage,
3 invalid rules.
`,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { dir: { type: 'string' }, json: { type: 'boolean' }, 'on-rule-error': { type: 'string' } },
      1,
    );
    const input = positionals[0];
    if (input === undefined) throw new UsageError('give a request file, or - for standard input');
    const onRuleError = values['on-rule-error'] ?? 'deny';
    if (onRuleError !== 'deny' && onRuleError !== 'skip') throw new UsageError('--on-rule-error is deny or skip');

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
    const loaded = await loadRuleset(dir);
    if (!loaded.ok) {
      printError(loaded.errors.map(formatRuleError).join('\n'));
      return EXIT.invalidRules;
    }
    // What the service would send, Okta's size limit included.
    const { decision, response } = oktaAnswer(evaluate(loaded.ruleset, built.request, { onRuleError, explain: true }), { decisionId: 'hook-rules-eval' }, onRuleError);
    if (values.json) {
      print(JSON.stringify({ response, decision }, null, 2));
    } else {
      print(`Okta response:\n${JSON.stringify(response, null, 2)}\n\n${formatExplanation(decision, loaded.ruleset)}`);
    }
    return EXIT.ok;
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
