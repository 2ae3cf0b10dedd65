/** The facts stage's deadline when FACTS_DEADLINE_MS is not set (config.ts reads the variable). */
export const DEFAULT_FACTS_DEADLINE_MS = 2000;
