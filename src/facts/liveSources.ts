import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { FactSources } from './FactSources.js';
import { DEFAULT_FACTS_DEADLINE_MS } from './resolveFacts.js';

/**
 * Fact sources for a command run (`hook-rules eval`, `hook-rules test --live`): the
 * environment's databases and secrets, as the service would use them, opened for `ruleset`.
 */
export async function liveSources(ruleset: CompiledRuleset, env: NodeJS.ProcessEnv = process.env): Promise<{ sources: FactSources; deadlineMs: number }> {
  const deadline = Number(env.FACTS_DEADLINE_MS);
  const deadlineMs = Number.isInteger(deadline) && deadline > 0 ? deadline : DEFAULT_FACTS_DEADLINE_MS;
  const sources = new FactSources({ env, deadlineMs });
  await sources.prepare(ruleset);
  return { sources, deadlineMs };
}
