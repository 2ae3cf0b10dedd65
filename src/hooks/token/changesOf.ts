import type { RuleOutcomeValues } from '../../engine/Decision.js';
import type { RuleTokenChanges, EvaluatedTokenChange } from './buildTokenPatch.js';
import { parseLifetime } from './checkTokenOutcome.js';
import { TOKEN_KINDS } from './types.js';

/**
 * The matched rules' token changes, in evaluation order, from the decision's rule outcomes: the
 * fixed parts as the rule wrote them (remove, lifetime) and the claim values the engine computed.
 */
export function tokenChangesOf(outcomes: readonly RuleOutcomeValues[]): RuleTokenChanges[] {
  return outcomes.map(({ ruleId, fixed, values }) => {
    const changes: RuleTokenChanges = { ruleId };
    for (const token of TOKEN_KINDS) {
      const spec = fixed[token];
      if (spec === undefined || spec === null || typeof spec !== 'object' || Array.isArray(spec)) continue;
      const change: { claims?: Record<string, unknown>; remove?: string[]; lifetimeSeconds?: number } = {};
      const claims: Record<string, unknown> = {};
      let anyClaim = false;
      for (const [path, value] of values) {
        if (path[0] !== token || path[1] !== 'claims' || path[2] === undefined) continue;
        // defineProperty: a claim name is never a route to the prototype.
        Object.defineProperty(claims, path[2], { value, enumerable: true, writable: true, configurable: true });
        anyClaim = true;
      }
      if (anyClaim) change.claims = claims;
      if (Array.isArray(spec.remove)) change.remove = spec.remove.filter((name): name is string => typeof name === 'string');
      if (spec.lifetime !== undefined) {
        const lifetime = parseLifetime(spec.lifetime);
        // Checked at load; a lifetime that slipped through reaches buildTokenPatch as NaN, a rule error there.
        change.lifetimeSeconds = 'seconds' in lifetime ? lifetime.seconds : Number.NaN;
      }
      changes[token] = change as EvaluatedTokenChange;
    }
    return changes;
  });
}
