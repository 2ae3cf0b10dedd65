/**
 * Load-time checks of a fact's SQL: one read-only SELECT (or WITH … SELECT), and which `$n`
 * placeholders it uses. Literals, quoted names and comments are skipped so that their
 * contents are never taken for keywords or placeholders. This is a guard against mistakes;
 * the read-only transaction and a least-privilege role (docs/facts.md) are the guard against
 * anything it cannot see, such as a function that writes.
 */
export interface SqlShape {
  problems: string[];
  /** The placeholders used, e.g. {1, 2} for $1 and $2. */
  placeholders: Set<number>;
}

/**
 * Words that write or lock inside a SELECT or WITH (a data-modifying CTE, SELECT … INTO,
 * FOR UPDATE): none may appear outside literals. Other statements cannot start the text.
 */
const FORBIDDEN = new Set(['insert', 'update', 'delete', 'merge', 'into', 'copy', 'truncate', 'drop', 'alter', 'create', 'grant', 'revoke', 'lock']);

export function checkSql(text: string): SqlShape {
  const problems: string[] = [];
  const placeholders = new Set<number>();
  const words: string[] = [];
  let statements = 1;
  let trailing = false; // anything after a semicolon
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      if (depth > 0) problems.push('a /* comment is not closed');
    } else if (c === "'" || ((c === 'E' || c === 'e') && next === "'")) {
      const backslashes = c !== "'";
      i += backslashes ? 2 : 1;
      let closed = false;
      while (i < n) {
        if (backslashes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") {
          i++;
          closed = true;
          break;
        } else i++;
      }
      if (!closed) problems.push('a quoted literal is not closed');
      if (statements > 1) trailing = true;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) problems.push('a quoted name is not closed');
      i = end < 0 ? n : end + 1;
      if (statements > 1) trailing = true;
    } else if (c === '$') {
      const number = /^\$(\d+)/.exec(text.slice(i, i + 12));
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 66));
      if (number) {
        placeholders.add(Number(number[1]));
        i += number[0].length;
      } else if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        if (end < 0) problems.push(`a ${tag[0]} quoted literal is not closed`);
        i = end < 0 ? n : end + tag[0].length;
      } else i++;
      if (statements > 1) trailing = true;
    } else if (c === ';') {
      statements++;
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 64))![0];
      words.push(word.toLowerCase());
      i += word.length;
      if (statements > 1) trailing = true;
    } else {
      if (statements > 1 && !/\s/.test(c)) trailing = true;
      i++;
    }
  }
  if (trailing) problems.push('only one statement is allowed (found text after a semicolon)');
  const first = words[0];
  if (first !== 'select' && first !== 'with') problems.push(`the statement must be a SELECT (or WITH … SELECT), not ${first ? first.toUpperCase() : 'empty'}`);
  else {
    const bad = words.find((word) => FORBIDDEN.has(word));
    if (bad) problems.push(`${bad.toUpperCase()} is not allowed: a fact only reads`);
    if (first === 'with' && !words.includes('select')) problems.push('WITH must end in a SELECT');
  }
  return { problems, placeholders };
}

/** Problems with the placeholders against the number of params: $1…$n each used, n params. */
export function placeholderProblems(placeholders: ReadonlySet<number>, params: number): string[] {
  const max = placeholders.size === 0 ? 0 : Math.max(...placeholders);
  const problems: string[] = [];
  for (let k = 1; k <= max; k++) if (!placeholders.has(k)) problems.push(`$${k} is never used (placeholders are numbered from $1 without gaps)`);
  if (max !== params) problems.push(`the SQL has ${max} placeholder${max === 1 ? '' : 's'} ($1…$n) but params gives ${params} value${params === 1 ? '' : 's'}`);
  return problems;
}
