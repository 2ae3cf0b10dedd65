/**
 * A cheap necessary condition for an RE2 pattern, derived once at load: the literals a text
 * must contain for the pattern to match anywhere in it. `matches` asks it first and runs
 * re2js only when it says "may match", so a name checked against twenty banned-word
 * patterns costs twenty substring searches instead of twenty automaton runs. (re2js has a
 * prefilter of its own, but it gives up on case-insensitive literals, i.e. on most rules.)
 *
 * Soundness over reach: only a narrow shape is understood, anything else gets no prefilter
 * (null) and re2js runs as before. Understood: a sequence of
 *   - anchors `^`, `$` and word boundaries `\b`, `\B` (they require no character);
 *   - literal characters: printable ASCII other than RE2's metacharacters, or `\` followed by
 *     ASCII punctuation (RE2 reads that as the punctuation itself);
 *   - groups `(…)` or `(?:…)` of alternatives made only of such literal characters.
 * No quantifier, class, dot, other escape, flag group or nesting anywhere: each literal run
 * and each group must then appear in every match, so the text must contain the run, and one
 * of the group's alternatives (a group with an empty alternative requires nothing).
 *
 * Case-insensitive (`i`): RE2 folds case by Unicode orbits, and two non-ASCII characters fold
 * onto ASCII letters (U+017F ſ onto s, U+212A Kelvin onto k). So a folded comparison is made
 * only on pure-ASCII text, where folding is exactly ASCII lowercasing; any other text is left
 * to re2js. Case-sensitive literals are ASCII, so a plain substring search is exact on any text
 * (an ASCII code unit never occurs inside another character in UTF-16).
 * test/engine/literalPrefilter.test.ts checks "false only when re2js finds no match".
 */

/** `(text) => false` only when the pattern certainly does not match the text. */
export type MayMatch = (text: string) => boolean;

const META = new Set([...'\\.+*?()[]{}|^$']);

function isLiteral(char: string): boolean {
  const code = char.charCodeAt(0);
  return code >= 0x20 && code <= 0x7e && !META.has(char);
}

function isAsciiPunctuation(char: string): boolean {
  const code = char.charCodeAt(0);
  return code >= 0x21 && code <= 0x7e && !/[0-9A-Za-z]/.test(char);
}

/**
 * The literal sets a match must contain (each set: at least one of its strings), or null when
 * the pattern is outside the understood shape.
 */
export function requiredLiterals(pattern: string): string[][] | null {
  const required: string[][] = [];
  let run = '';
  const endRun = () => {
    if (run !== '') required.push([run]);
    run = '';
  };
  let i = 0;
  // One literal character at i (plain or escaped punctuation), or null; advances i.
  const literalAt = (): string | null => {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !isAsciiPunctuation(next)) return null;
      i += 2;
      return next;
    }
    if (!isLiteral(char)) return null;
    i += 1;
    return char;
  };
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === '^' || char === '$') {
      endRun();
      i += 1;
    } else if (char === '\\' && (pattern[i + 1] === 'b' || pattern[i + 1] === 'B')) {
      endRun();
      i += 2;
    } else if (char === '(') {
      endRun();
      i += pattern.startsWith('(?:', i) ? 3 : 1;
      if (pattern[i] === '?') return null; // a flag group or another extension
      const alternatives: string[] = [''];
      for (;;) {
        if (i >= pattern.length) return null;
        const inner = pattern[i]!;
        if (inner === ')') {
          i += 1;
          break;
        }
        if (inner === '|') {
          alternatives.push('');
          i += 1;
          continue;
        }
        const literal = literalAt();
        if (literal === null) return null;
        alternatives[alternatives.length - 1] += literal;
      }
      if (alternatives.every((alternative) => alternative !== '')) required.push(alternatives);
    } else {
      const literal = literalAt();
      if (literal === null) return null;
      run += literal;
    }
  }
  endRun();
  return required;
}

/** The prefilter for a pattern compiled with these flags (i, s, m), or null when none applies. */
export function literalPrefilter(pattern: string, flags: string): MayMatch | null {
  const required = requiredLiterals(pattern);
  if (required === null || required.length === 0) return null;
  if (!flags.includes('i')) return (text) => containsAll(text, required);
  const folded = required.map((set) => set.map((literal) => literal.toLowerCase()));
  return (text) => !isAscii(text) || containsAll(text.toLowerCase(), folded);
}

function containsAll(text: string, required: readonly (readonly string[])[]): boolean {
  for (const set of required) {
    let found = false;
    for (const literal of set) {
      if (text.includes(literal)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
