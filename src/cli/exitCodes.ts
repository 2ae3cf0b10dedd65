/** Distinct exit codes, so CI can tell bad rules from failing rule tests (as `cerbos compile` does). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  invalidRules: 3,
  testsFailed: 4,
} as const;
