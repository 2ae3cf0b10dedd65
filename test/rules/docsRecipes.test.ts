import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import type { JsonObject, OktaHookRequest } from '../../src/okta/types.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { fromShorthand } from '../../src/suites/caseRequest.js';
import { tempRulesDir } from '../helpers/tempRules.js';

// The recipes in docs/rules.md are complete rule files: each must load without errors or
// warnings and answer the requests its "# expect:" line names as the line says.
const doc = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'rules.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Recipes'), doc.indexOf('## Testing rules'));
const recipes = [...section.matchAll(/```yaml\n(# recipe: (.+)\n[\s\S]*?)```/g)].map((m) => ({ name: m[2]!, text: m[1]! }));

/** "jo@x.example allow department=Sales" or "employeeNumber=12a4 deny causes=2" → a request and what to expect. */
function parseExpectation(item: string) {
  const tokens = [...item.matchAll(/(\w+)="([^"]*)"|(\S+)/g)].map((m) => (m[3] !== undefined ? m[3] : `${m[1]}=${m[2]}`));
  const at = tokens.findIndex((t) => t === 'allow' || t === 'deny');
  const inputs = tokens.slice(0, at);
  const pairs = (list: string[]) => Object.fromEntries(list.map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
  const registration = inputs.length === 1 && !inputs[0]!.includes('=');
  const request = (registration
    ? fromShorthand({ profile: { email: inputs[0]! } })
    : fromShorthand({ submitted: pairs(inputs) as JsonObject, user: { profile: { login: 'jo@acme.example' } } })) as OktaHookRequest;
  const rest = pairs(tokens.slice(at + 1));
  const causes = rest.causes === undefined ? undefined : Number(rest.causes);
  delete rest.causes;
  return { request, decision: tokens[at]!, causes, updates: rest };
}

describe('the recipes in docs/rules.md', () => {
  it('there are the four the docs promise', () => {
    expect(recipes.map((r) => r.name)).to.deep.equal(['domains allow-list', 'disposable with an exception', 'department from sub-domain', 'progressive profile field validation']);
  });

  for (const recipe of recipes) {
    it(`${recipe.name}: loads without warnings and answers as its expect line says`, async () => {
      const tmp = await tempRulesDir({ 'recipe.yaml': recipe.text });
      try {
        const loaded = await loadHookRuleset(tmp.dir);
        if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
        expect(loaded.warnings, 'warnings').to.deep.equal([]);
        const line = /# expect: (.+)/.exec(recipe.text)![1]!;
        for (const item of line.split('; ')) {
          const wanted = parseExpectation(item);
          const decision = evaluate(loaded.ruleset, registrationContext(wanted.request));
          expect(decision.outcome, item).to.equal(wanted.decision);
          if (wanted.causes !== undefined) expect(decision.deny?.causes ?? [], item).to.have.length(wanted.causes);
          for (const [attribute, value] of Object.entries(wanted.updates)) expect(decision.updates[attribute], `${item}: ${attribute}`).to.equal(value);
        }
      } finally {
        await tmp.remove();
      }
    });
  }
});
