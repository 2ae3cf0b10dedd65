import type { SuiteRun } from '../../rules/suites/runSuites.js';
import { decidedByText } from '../../rules/suites/runSuites.js';
import { relative } from '../commands/validate.js';
import { formatCounter, formatExplanation } from './explanation.js';
import type { CompiledRuleset } from '../../rules/CompiledRuleset.js';

/** The readable report: cases by suite, what differed, rule coverage, the totals. */
export function formatTestReport(run: SuiteRun, ruleset: CompiledRuleset, options: { explain?: boolean; quiet?: boolean } = {}): string {
  const lines: string[] = [];
  let suite: string | undefined;
  for (const result of run.results) {
    if (options.quiet && result.status !== 'failed') continue;
    if (result.case.suite !== suite) {
      suite = result.case.suite;
      lines.push(relative(suite));
    }
    const where = `${relative(result.case.at.file)}:${result.case.at.line}:${result.case.at.column}`;
    if (result.status === 'passed') lines.push(`  ✓ ${result.case.name}`);
    else if (result.status === 'skipped') lines.push(`  - ${result.case.name} (skipped)`);
    else {
      lines.push(`  ✗ ${result.case.name}  ${where}`);
      for (const failure of result.failures) lines.push(`      ${failure}`);
      if (result.decision) {
        const matched = result.decision.matchedRuleIds.join(', ') || '(none)';
        lines.push(`      decided by ${decidedByText(result.decision)}; matched rules: ${matched}`);
        for (const reading of result.counters ?? []) lines.push(`      counter ${formatCounter(reading)}`);
        if (options.explain) lines.push(...formatExplanation(result.decision, ruleset, [], result.counters).split('\n').map((line) => `        ${line}`));
      }
    }
  }
  lines.push('');
  const exercised = run.ruleCount - run.unexercised.length;
  lines.push(`Rule coverage: ${exercised} of ${run.ruleCount} rules exercised (${run.coverage}%)`);
  for (const rule of run.unexercised) {
    lines.push(`  not exercised: ${rule.id}  ${relative(rule.source.file)}:${rule.source.line}:${rule.source.column}`);
  }
  return lines.join('\n');
}
