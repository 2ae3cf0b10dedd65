/** FACTS_DEADLINE_MS when it is not set: config.ts reads the same variable with the same default. */
export const DEFAULT_FACTS_DEADLINE_MS = 2000;

/** FACTS_DEADLINE_MS from an environment, for callers without a loaded Config (the CLI, a reload); the default when unset or invalid. */
export function factsDeadlineFrom(env: NodeJS.ProcessEnv): number {
  const deadline = Number(env.FACTS_DEADLINE_MS);
  return Number.isInteger(deadline) && deadline > 0 ? deadline : DEFAULT_FACTS_DEADLINE_MS;
}
