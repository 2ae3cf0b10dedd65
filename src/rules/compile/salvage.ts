import type { RuleFile } from '../types.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The parts of a file that failed the schema that are safe to walk: objects where objects
 * belong. Its rules are marked disabled: checked, never built.
 */
export function salvage(content: unknown): RuleFile {
  if (!isRecord(content)) return {};
  const lists = isRecord(content.lists) ? (content.lists as RuleFile['lists']) : undefined;
  const rules = Array.isArray(content.rules)
    ? (content.rules.map((rule) => {
        const r = isRecord(rule) ? rule : {};
        return { ...r, id: typeof r.id === 'string' ? r.id : undefined, then: isRecord(r.then) ? { ...r.then, update: isRecord(r.then.update) ? r.then.update : undefined } : undefined, disabled: true };
      }) as unknown as RuleFile['rules'])
    : undefined;
  return { ...(lists ? { lists } : {}), ...(rules ? { rules } : {}) };
}
