import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { FactEnvironment } from './compileFact.js';
import { DEFAULT_FACTS_DEADLINE_MS } from './deadline.js';
import { FactSources } from './FactSources.js';

/**
 * Fact sources for a command run (`hook-rules eval`, `hook-rules test --live`): the
 * environment's databases and secrets, as the service would use them, opened for `ruleset`.
 */
export async function liveSources(ruleset: CompiledRuleset, environment: FactEnvironment): Promise<FactSources> {
  const sources = new FactSources({ env: environment.env, deadlineMs: environment.deadlineMs ?? DEFAULT_FACTS_DEADLINE_MS });
  await sources.prepare(ruleset);
  return sources;
}
