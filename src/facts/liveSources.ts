import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { FactEnvironment } from './compileFact.js';
import { FactSources } from './FactSources.js';

/**
 * Fact sources for a command run (`hook-rules eval`, `hook-rules test --live`): the
 * environment's databases and secrets, as the service would use them, opened for `ruleset`.
 */
export async function liveSources(ruleset: CompiledRuleset, settings: { environment: FactEnvironment; deadlineMs: number }): Promise<FactSources> {
  const sources = new FactSources({ env: settings.environment.env, production: settings.environment.production, deadlineMs: settings.deadlineMs });
  await sources.prepare(ruleset);
  return sources;
}
