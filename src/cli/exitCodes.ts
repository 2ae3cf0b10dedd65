/**
 * Distinct exit codes, so CI can tell bad rules from failing rule tests (as `cerbos compile`
 * does). Documented in docs/rules.md ("Exit codes") and in `hook-rules --help`.
 */
export const EXIT = {
  /** Success: valid rules, passing tests, an answer printed, a clean shutdown. */
  ok: 0,
  /** Anything else that went wrong: an unreadable or invalid request file, an unexpected error. */
  error: 1,
  /** `hook-rules diff`: some answers change (as diff(1) exits 1 when the files differ), so CI can ask for a review. */
  answersChange: 1,
  /** Bad usage: unknown command or option, missing argument, invalid configuration. */
  usage: 2,
  /** The ruleset is invalid: every error is printed as file:line:column. */
  invalidRules: 3,
  /** Rule tests failed, a suite is invalid, there are no tests, or coverage is under --min-coverage. */
  testsFailed: 4,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  error (unreadable or invalid input, serve unable to listen, unexpected failure);
     for diff: some answers change
  2  bad usage (unknown command or option, missing argument, invalid configuration)
  3  invalid rules (each error printed as file:line:column)
  4  rule tests failed (or an invalid suite, no tests, coverage under --min-coverage)
`;
