import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { FactSources } from './FactSources.js';
import { factsDeadlineFrom } from './deadline.js';

/**
 * Fact sources for a command run (`hook-rules eval`, `hook-rules test --live`): the
 * environment's databases and secrets, as the service would use them, opened for `ruleset`.
 */
export async function liveSources(ruleset: CompiledRuleset, env: NodeJS.ProcessEnv = process.env): Promise<{ sources: FactSources; deadlineMs: number }> {
  const deadlineMs = factsDeadlineFrom(env);
  const sources = new FactSources({ env, deadlineMs });
  await sources.prepare(ruleset);
  return { sources, deadlineMs };
}
