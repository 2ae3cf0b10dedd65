import path from 'node:path';

/** A rule file's path as the author knows it (relative to the rules directory), if it is inside it. */
export function relativeToRules(dir: string, file: string): string {
  const inside = path.relative(dir, file);
  return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? inside : file;
}
