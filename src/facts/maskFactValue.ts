import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';

/**
 * How a fetched fact's value is shown (the preview page, `hook-rules eval`, rule-test reports,
 * log lines) unless the fact says `reveal: true`: its shape, never its data. Every scalar
 * becomes a marker naming its type (a string's length is not kept); objects keep their keys
 * (the columns or fields asked for), lists their length, null stays null (no row, no value).
 * Names of data, not patterns of it: a date of birth or a member number looks like nothing in
 * particular, so nothing short of masking every scalar keeps them out.
 */
export const MASKED = { string: '[string]', number: '[number]', boolean: '[boolean]', other: '[value]' } as const;

/** Deeper than this, a value is shown as one marker (a fact's value is JSON, rarely deep). */
const MAX_DEPTH = 16;

export function maskFactValue(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return MASKED.string;
  if (typeof value === 'number') return MASKED.number;
  if (typeof value === 'boolean') return MASKED.boolean;
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return MASKED.other;
  if (Array.isArray(value)) return value.map((item) => maskFactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = maskFactValue((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

/**
 * A value computed from a fact (an operand or a condition's result): true and false are shown,
 * as the rule's outcome shows them anyway; any other value may be the fact's data, so it is
 * masked as the fact is.
 */
export function maskComputedValue(value: unknown): unknown {
  return typeof value === 'boolean' ? value : maskFactValue(value);
}

/** The facts of `names` whose values are masked: every fact not marked `reveal: true`. */
export function hiddenFacts(ruleset: CompiledRuleset, names: readonly string[]): string[] {
  return names.filter((name) => ruleset.facts.get(name)?.reveal !== true);
}

/** At most this many scalars are looked for in a text (a fact with more is a list, rarely quoted). */
const MAX_SCALARS = 256;

/**
 * Text (an error message) with every string and number of `values` that it quotes replaced by
 * its marker: a message such as "got the number 12345" must not carry a fetched member number
 * into a log line or an explanation. A scalar is replaced where it stands alone (no letter or
 * digit right before or after it), longest first.
 */
export function maskFactText(text: string, values: readonly unknown[]): string {
  const scalars = new Map<string, string>();
  const collect = (value: unknown, depth: number): void => {
    if (scalars.size >= MAX_SCALARS || value === null || depth > MAX_DEPTH) return;
    if (typeof value === 'string' && value !== '') scalars.set(value, MASKED.string);
    else if (typeof value === 'number') scalars.set(String(value), MASKED.number);
    else if (typeof value === 'object') for (const item of Object.values(value)) collect(item, depth + 1);
  };
  for (const value of values) collect(value, 0);
  let out = text;
  for (const [scalar, marker] of [...scalars].sort(([a], [b]) => b.length - a.length)) out = replaceStandalone(out, scalar, marker);
  return out;
}

const WORD = /[\p{L}\p{N}]/u;

function replaceStandalone(text: string, scalar: string, marker: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(scalar); at >= 0; at = text.indexOf(scalar, at + 1)) {
    if (at < from) continue;
    const before = text[at - 1];
    const after = text[at + scalar.length];
    if ((before !== undefined && WORD.test(before)) || (after !== undefined && WORD.test(after))) continue;
    out += text.slice(from, at) + marker;
    from = at + scalar.length;
  }
  return out + text.slice(from);
}
