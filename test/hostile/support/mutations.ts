import fc from 'fast-check';

export type JsonPath = Array<string | number>;

/** Every path in a JSON value, parents before children (the root, [], excluded). */
export function pathsOf(value: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (typeof value !== 'object' || value === null) return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    out.push([...at, key]);
    pathsOf(child, [...at, key], out);
  }
  return out;
}

/** A deep copy with the value at `path` replaced (or removed, when `replacement` is REMOVE). */
export const REMOVE = Symbol('remove');
export function withPath(root: unknown, path: JsonPath, replacement: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement !== REMOVE) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}

/** One value of each JSON type: null, boolean, number, string, array, object. */
export const ONE_OF_EACH_TYPE: unknown[] = [null, true, 1.5, 'text', [1], { k: 'v' }];

/** One value of every JSON type, plus the edge cases of each. */
export const EVERY_TYPE: unknown[] = [null, true, false, 0, -1, 1.5e300, '', 'text', '1234', [], [null, 1, 'a'], {}, { k: 'v' }];

/** Strings that break naive handling: lone surrogates, bidi overrides, zero-width, NUL, BOM, huge code points. */
export const NASTY_STRINGS = [
  '\uD800', '\uDFFF', 'a\uD83Db', '\uDE00\uD83D', // lone and reversed surrogate halves
  '\u202Eexample.com@evil.org', 'user@\u202Eexample.com', '\u200F\u200E', // right-to-left overrides and marks
  'user\u200B@example.com', 'user@exa\u200Dmple.com', '\uFEFFuser@example.com', // zero-width characters, BOM
  'user\u0000@example.com', 'user@example.com\u0000', '\u0000', // NUL
  'USER@EXAMPLE.COM\u0130', 'user@ex\u0430mple.com', 'ﬀ@example.com', // dotted I, Cyrillic a, ligature
  'a\u0301\u0301\u0301\u0301@example.com', '𝕦𝕤𝕖𝕣@𝕖𝕩𝕒𝕞𝕡𝕝𝕖.𝕔𝕠𝕞', '@', '@@', 'a@', '@example.com',
  '\r\n\t', '"quoted"@example.com', '<script>alert(1)</script>@example.com', '${jndi:ldap://x}', '%00', '\\u0000',
];

/** Any string, including unpaired surrogates and every plane. */
export const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }),
  fc.constantFrom(...NASTY_STRINGS),
);

/** Any JSON value whose strings (keys too) may hold anything; JSON.stringify escapes lone surrogates. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    anyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;
