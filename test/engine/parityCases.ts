/**
 * Cases where JsonLogic engines are known to differ: truthiness, loose equality, missing
 * data, arithmetic on text, unary sugar, iteration scopes, and our custom operations.
 * json-logic-js's answer is the expected one; the parity test checks the compiled engine
 * gives the same value (or throws when json-logic-js throws).
 */
export interface ParityCase {
  logic: unknown;
  data?: unknown;
}

const values: unknown[] = [0, 1, -1, 2.5, '', '0', '1', 'a', 'abc', ' 12 ', true, false, null, [], [0], [1, 2], ['a'], {}, { a: 1 }];
const data = { a: 1, s: '0', e: '', z: 0, n: null, t: true, f: false, arr: [1, 2, 3], empty: [], obj: { b: { c: 'deep' } }, list: [{ x: 1 }, { x: 2 }] };

const comparison = ['==', '===', '!=', '!==', '>', '>=', '<', '<='];
const arithmetic = ['+', '-', '*', '/', '%', 'min', 'max'];

export function parityCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  // Every pair of awkward values through every comparison and arithmetic operator.
  for (const op of [...comparison, ...arithmetic]) {
    for (const a of values) for (const b of values) cases.push({ logic: { [op]: [a, b] } });
    for (const a of values) cases.push({ logic: { [op]: [a] } });
    cases.push({ logic: { [op]: [] } });
  }
  // Between: 3-argument < and <=.
  for (const [a, b, c] of [[1, 2, 3], [1, 1, 3], [3, 2, 1], ['1', 2, '3'], [null, 0, 1], [0, null, 1]]) {
    cases.push({ logic: { '<': [a, b, c] } }, { logic: { '<=': [a, b, c] } });
  }
  // Truthiness of every awkward value, through each operator that tests it.
  for (const v of values) {
    const wrapped = Array.isArray(v) ? [v] : v; // unary sugar would spread an array
    cases.push(
      { logic: { '!': [wrapped] } },
      { logic: { '!!': [wrapped] } },
      { logic: { if: [wrapped, 'yes', 'no'] } },
      { logic: { '?:': [wrapped, 'yes', 'no'] } },
      { logic: { and: [wrapped, 'next'] } },
      { logic: { or: [wrapped, 'next'] } },
      { logic: { and: [true, wrapped] } },
      { logic: { or: [false, wrapped] } },
      { logic: { filter: [[wrapped], { var: '' }] } },
      { logic: { some: [[wrapped], { var: '' }] } },
      { logic: { all: [[wrapped], { var: '' }] } },
      { logic: { none: [[wrapped], { var: '' }] } },
    );
  }
  cases.push(
    // Unary sugar: an array argument is the argument list.
    { logic: { '!!': [0, 1, 2] } },
    { logic: { '!': [] } },
    { logic: { '!!': [] } },
    { logic: { '!': 0 } },
    { logic: { '!!': '0' } },
    { logic: { and: [] } },
    { logic: { or: [] } },
    { logic: { if: [] } },
    { logic: { if: [true] } },
    { logic: { if: [false, 1] } },
    { logic: { if: [false, 1, false, 2] } },
    { logic: { if: [false, 1, true, 2, 3] } },
    // var: paths, defaults, missing → null, whole data, array indexes.
    ...['a', 's', 'e', 'z', 'n', 't', 'f', 'arr', 'arr.1', 'arr.9', 'obj.b.c', 'obj.x.y', 'nope', 'n.deeper', 'list.0.x', '', 'a.b'].flatMap((path) => [
      { logic: { var: path }, data },
      { logic: { var: [path] }, data },
      { logic: { var: [path, 'fallback'] }, data },
      { logic: { '==': [{ var: path }, null] }, data },
    ]),
    { logic: { var: 1 }, data: ['a', 'b'] },
    { logic: { var: 'x' }, data: null },
    { logic: { var: '' }, data: 'text' },
    { logic: { var: 'a' }, data: { a: undefined } },
    { logic: { var: [{ cat: ['o', 'bj.b.c'] }] }, data },
    // missing and missing_some: "" counts as missing, null too.
    ...[['a', 'e', 'n', 'nope'], ['obj.b.c', 'obj.b.x'], [], ['z', 'f']].flatMap((keys) => [
      { logic: { missing: keys }, data },
      { logic: { missing_some: [1, keys] }, data },
      { logic: { missing_some: [2, keys] }, data },
    ]),
    { logic: { missing: [['a', 'nope']] }, data },
    { logic: { missing: 'nope' }, data },
    // in: substring on text, membership on arrays, null haystack.
    { logic: { in: ['@b.', 'a@b.c'] } },
    { logic: { in: ['x', null] } },
    { logic: { in: [1, ['1', 2]] } },
    { logic: { in: ['1', [1, 2]] } },
    { logic: { in: [null, [null]] } },
    { logic: { in: [{ var: 'n' }, 'null'] }, data },
    { logic: { in: [{ '/': [0, 0] }, [{ '/': [0, 0] }]] } }, // NaN is never found (indexOf, not includes)
    // cat and substr with non-text.
    { logic: { cat: ['a', null, 1, true, [1, 2], 2.5] } },
    { logic: { cat: [] } },
    { logic: { cat: 'solo' } },
    { logic: { substr: [null, 0, 1] } },
    { logic: { substr: ['jsonlogic', 4] } },
    { logic: { substr: ['jsonlogic', -5] } },
    { logic: { substr: ['jsonlogic', 1, -3] } },
    { logic: { substr: [12345, 1, 2] } },
    { logic: { substr: ['abc', '1'] } },
    // Arithmetic on text and odd inputs.
    { logic: { '+': ['1', 'a'] } },
    { logic: { '+': ['1', '2', 3] } },
    { logic: { '*': ['2', '3'] } },
    { logic: { '-': ['5'] } },
    { logic: { '/': [1, 0] } },
    { logic: { '%': [5, 0] } },
    { logic: { max: [] } },
    { logic: { min: ['3', 2] } },
    { logic: { '+': { var: 'arr' } }, data },
    // merge, map, filter, reduce, all/some/none with scopes.
    { logic: { merge: [] } },
    { logic: { merge: [1, [2, [3]], null] } },
    { logic: { map: [{ var: 'arr' }, { '*': [{ var: '' }, 2] }] }, data },
    { logic: { map: [{ var: 'nope' }, { var: '' }] }, data },
    { logic: { map: [{ var: 'list' }, { var: 'x' }] }, data },
    { logic: { filter: [{ var: 'arr' }, { '>': [{ var: '' }, 1] }] }, data },
    { logic: { filter: [{ var: 'nope' }, true] }, data },
    { logic: { reduce: [{ var: 'arr' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, data },
    { logic: { reduce: [{ var: 'nope' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 7] }, data },
    { logic: { reduce: [{ var: 'arr' }, { cat: [{ var: 'accumulator' }, { var: 'current' }] }, ''] }, data },
    { logic: { all: [{ var: 'empty' }, true] }, data },
    { logic: { some: [{ var: 'empty' }, true] }, data },
    { logic: { none: [{ var: 'empty' }, true] }, data },
    { logic: { all: [{ var: 'nope' }, true] }, data },
    { logic: { some: [{ var: 'list' }, { '==': [{ var: 'x' }, 2] }] }, data },
    { logic: { none: [{ var: 'list' }, { '==': [{ var: 'x' }, 3] }] }, data },
    // Loose equality and null from missing data.
    { logic: { '==': [null, { var: 'nope' }] }, data },
    { logic: { '==': [0, { var: 'e' }] }, data },
    { logic: { '==': [{ var: 'z' }, false] }, data },
    { logic: { '!=': [{ var: 'n' }, null] }, data },
    { logic: { '<': [{ var: 'nope' }, 13] }, data },
    { logic: { '>=': [{ var: 's' }, 0] }, data },
    // Literal arrays holding logic are evaluated; objects as data are not.
    { logic: [{ var: 'a' }, 2] , data },
    { logic: { '==': [[1], 1] } },
  );
  return cases;
}

/** Cases for our custom operations, run inside a scope with lists and patterns. */
export function customCases(): ParityCase[] {
  const profile = { email: 'Rosario.Jones@Sub.Mailinator.COM', login: 'rj@example.com', name: '  Ana  ', n: 12, employeeNumber: '1234' };
  const data = { profile, ip: '203.0.0.1', nothing: null };
  return [
    { logic: { email_domain: [{ var: 'profile.email' }] }, data },
    { logic: { email_domain: { var: 'profile.email' } }, data },
    { logic: { email_domain: [{ var: 'nothing' }] }, data },
    { logic: { email_domain: ['bad'] }, data },
    { logic: { iequals: [{ var: 'profile.login' }, 'RJ@EXAMPLE.COM'] }, data },
    { logic: { iequals: [{ var: 'nothing' }, null] }, data },
    { logic: { iequals: [{ var: 'profile.n' }, '12'] }, data },
    { logic: { matches: [{ var: 'profile.employeeNumber' }, '^[0-9]{4}$'] }, data },
    { logic: { matches: [{ var: 'profile.name' }, 'ana', 'i'] }, data },
    { logic: { matches: [{ var: 'nothing' }, '^[0-9]{4}$'] }, data },
    { logic: { '!': { matches: [{ var: 'profile.employeeNumber' }, '^[0-9]{4}$'] } }, data },
    { logic: { in_list: [{ var: 'profile.email' }, 'disposable'] }, data },
    { logic: { in_list: [{ email_domain: { var: 'profile.email' } }, 'disposable'] }, data },
    { logic: { in_list: [{ var: 'profile.login' }, 'disposable'] }, data },
    { logic: { in_list: [{ var: 'ip' }, 'ips'] }, data },
    { logic: { in_list: [{ var: 'nothing' }, 'ips'] }, data },
    { logic: { in_list: ['x', 'no-such-list'] }, data },
    { logic: { lower: { var: 'profile.email' } }, data },
    { logic: { upper: [{ var: 'profile.name' }] }, data },
    { logic: { trim: { var: 'profile.name' } }, data },
    { logic: { trim: { var: 'profile.n' } }, data },
    { logic: { lower: [] }, data },
    { logic: { upper: { trim: { var: 'profile.name' } } }, data },
    { logic: { cat: [{ lower: 'A' }, { upper: 'b' }] }, data },
    { logic: { if: [{ in_list: [{ var: 'profile.email' }, 'disposable'] }, 'blocked', 'ok'] }, data },
    { logic: { map: [['A', 'B'], { lower: { var: '' } }] }, data },
  ];
}
