import type { AnswerChanges, AnswerField } from '../../diff/answerChanges.js';
import type { ListChange, PartChange, RulesetChanges } from '../../diff/rulesetChanges.js';

export interface DiffSide {
  dir: string;
  version: string;
  rules: number;
  files: number;
}

const MARK = { added: '+', removed: '-', changed: '~' } as const;

/** `hook-rules diff` in words: what changed in the rules, then every answer that changes, `before → after`. */
export function formatDiffReport(before: DiffSide, after: DiffSide, parts: RulesetChanges, answers: AnswerChanges): string {
  const side = (s: DiffSide) => `${s.dir} (version ${s.version}, ${plural(s.rules, 'rule')} in ${plural(s.files, 'file')})`;
  const lines = [`Before: ${side(before)}`, `After:  ${side(after)}`, ''];
  const sections: Array<[string, string[]]> = [
    ['Rules', parts.rules.map((c) => partLine(c, 'removed or disabled'))],
    ['Lists', parts.lists.map(listLine)],
    ['Facts', parts.facts.map((c) => partLine(c, 'removed'))],
    ['Counters', parts.counters.map((c) => partLine(c, 'removed'))],
    ['Settings', parts.settings.map((s) => `  ~ ${s.name}: ${s.before} → ${s.after}`)],
  ];
  const written = sections.filter(([, items]) => items.length > 0);
  if (written.length === 0) lines.push('No change to rules, lists, facts, counters or settings.');
  for (const [title, items] of written) lines.push(`${title}:`, ...items);
  lines.push('');
  const count = answers.changes.length;
  lines.push(`Answers: ${plural(answers.compared, 'request')} decided by both; ${count === 0 ? 'no answer changes.' : `${plural(count, 'answer')} change${count === 1 ? 's' : ''}:`}`);
  for (const change of answers.changes) {
    lines.push('', `  ${change.name}`);
    const width = Math.max(...change.fields.map((f) => f.length)) + 1;
    for (const field of change.fields) lines.push(`    ${`${field}:`.padEnd(width + 1)}${show(field, change.before[field])} → ${show(field, change.after[field])}`);
  }
  if (answers.notCompared.length > 0) {
    lines.push('', `Not compared (${answers.notCompared.length}):`, ...answers.notCompared.map((n) => `  ${n.name}: ${n.problem}`));
  }
  return lines.join('\n');
}

function partLine(change: PartChange, removed: string): string {
  const detail = change.change === 'changed' ? `: ${change.fields.join(', ')}` : change.change === 'removed' ? `, ${removed}` : ', added';
  return `  ${MARK[change.change]} ${change.name} (${change.at})${detail}`;
}

function listLine(change: ListChange): string {
  if (change.change === 'added') return `  + ${change.name}, added: ${plural(change.sizeAfter, 'entry', 'entries')}`;
  if (change.change === 'removed') return `  - ${change.name}, removed: had ${plural(change.sizeBefore, 'entry', 'entries')}`;
  const entries = change.entriesAdded || change.entriesRemoved ? ` (+${change.entriesAdded} -${change.entriesRemoved} entries: ${change.sizeBefore} → ${change.sizeAfter})` : '';
  return `  ~ ${change.name}: ${change.fields.join(', ')}${entries}`;
}

function show(field: AnswerField, value: unknown): string {
  if (value === undefined) return '(none)';
  return field === 'decision' || field === 'decidedBy' ? String(value) : JSON.stringify(value);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
