import type { AnswerChanges, AnswerField } from '../../diff/answerChanges.js';
import type { ListChange, PartChange, RulesetChanges } from '../../diff/rulesetChanges.js';
import { patchTarget, type PatchOperation } from '../../diff/tokenPatches.js';

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
    for (const field of change.fields) {
      const label = `    ${`${field}:`.padEnd(width + 1)}`;
      if (field !== 'patches') {
        lines.push(`${label}${show(field, change.before[field])} → ${show(field, change.after[field])}`);
        continue;
      }
      const [first, ...rest] = patchLines(change.before.patches ?? [], change.after.patches ?? []);
      lines.push(`${label}${first ?? ''}`, ...rest.map((line) => `${' '.repeat(label.length)}${line}`));
    }
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

/**
 * The token operations that differ, one a line, paired by token and path: `~` an operation whose
 * op or value changed (before → after), `-` one sent only before, `+` one sent only after.
 */
function patchLines(before: readonly PatchOperation[], after: readonly PatchOperation[]): string[] {
  const was = new Map(before.map((op) => [patchTarget(op), op]));
  const now = new Map(after.map((op) => [patchTarget(op), op]));
  const lines: string[] = [];
  for (const [target, old] of was) {
    const next = now.get(target);
    if (!next) lines.push(`- ${target}: ${opText(old)}`);
    else if (opText(old) !== opText(next)) lines.push(`~ ${target}: ${opText(old)} → ${opText(next)}`);
  }
  for (const [target, next] of now) if (!was.has(target)) lines.push(`+ ${target}: ${opText(next)}`);
  // The same operations in another order (rules reordered): Okta applies them in order, so it counts.
  if (lines.length === 0) lines.push(`same operations, in another order: ${before.map(patchTarget).join(', ')} → ${after.map(patchTarget).join(', ')}`);
  return lines;
}

function opText(operation: PatchOperation): string {
  return operation.op === 'remove' ? 'remove' : `${operation.op} ${JSON.stringify(operation.value)}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
