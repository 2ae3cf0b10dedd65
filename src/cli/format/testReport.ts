import type { SuiteRun } from '../../suites/runSuites.js';
import { decidedByText } from '../../suites/runSuites.js';
import { relative } from '../commands/validate.js';
import { formatCounter, formatExplanation, formatFactBrief } from './explanation.js';
import type { CompiledRuleset } from '../../ruleset/CompiledRuleset.js';

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
        // Each fact the case read: a failed one with its kind and message, which decides as much as a rule does.
        for (const fact of result.facts ?? []) lines.push(`      fact ${formatFactBrief(fact)}`);
        if (options.explain) lines.push(...formatExplanation(result.decision, ruleset, [], result.counters).split('\n').map((line) => `        ${line}`));
      }
    }
  }
  lines.push('');
  const exercised = run.ruleCount - run.unexercised.length;
  const parts = [`${exercised} of ${run.ruleCount} rules`];
  if (run.exceptionCount) parts.push(`${run.exceptionCount - run.unexercisedExceptions.length} of ${run.exceptionCount} list exceptions`);
  if (run.defaultCount) parts.push(`${run.defaultCount - run.unexercisedDefaults.length} of ${run.defaultCount} defaults`);
  lines.push(`Rule coverage: ${parts.join(', ')} exercised (${run.coverage}%)`);
  for (const rule of run.unexercised) {
    lines.push(`  not exercised: ${rule.id}  ${relative(rule.source.file)}:${rule.source.line}:${rule.source.column}`);
  }
  for (const { list, except } of run.unexercisedExceptions) {
    lines.push(`  not exercised: list ${list} except ${except} (no case had a value in ${list} that ${except} excused)`);
  }
  for (const { requestType, at } of run.unexercisedDefaults) {
    lines.push(`  not exercised: the default for ${requestType}  ${relative(at.file)}:${at.line}:${at.column}`);
  }
  return lines.join('\n');
}
