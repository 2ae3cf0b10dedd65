// The token hook's result: each token's claims and lifetime before and after the patch, which
// rule changed what, the changes not sent and why, or the refusal. DOM only, no state.
import { el } from './render.js';

const TOKENS = [
  ['identity', 'ID token', 'com.okta.identity.patch'],
  ['access', 'Access token', 'com.okta.access.patch'],
];

const TOKEN_NAME = { identity: 'ID token', access: 'access token' };

const CHANGE_TEXT = { added: 'added', replaced: 'replaced', removed: 'removed', lifetime: 'changed' };

/** The whole token view for one evaluation's `tokens` (see docs/preview.md, "The API"). */
export function tokensView(tokens) {
  const view = el('div', { class: 'tokens' });
  if (!tokens.issued) {
    view.append(el('div', { class: 'token-refused', id: 'token-refusal' },
      el('strong', {}, 'No token is issued. '),
      'Okta refuses the request; the client gets ', el('code', {}, 'server_error'), ' with: ',
      el('q', { class: 'refusal-message' }, tokens.refusal?.message ?? ''),
    ));
  }
  for (const [kind, name, command] of TOKENS) {
    const token = tokens[kind];
    if (!token) view.append(el('p', { class: 'token-absent muted', 'data-token': kind }, `${name}: this request does not mint one, so nothing is sent for it.`));
    else view.append(tokenTable(kind, name, command, token));
  }
  if (tokens.dropped.length) {
    view.append(el('h4', { id: 'dropped-heading' }, 'Not sent'), el('ul', { class: 'dropped', id: 'dropped', 'aria-labelledby': 'dropped-heading' }, ...tokens.dropped.map(droppedItem)));
  }
  if (tokens.ruleErrors.length) {
    view.append(el('h4', { id: 'rule-errors-heading' }, 'Could not be sent (rule errors, ON_RULE_ERROR decides)'),
      el('ul', { class: 'dropped rule-errors', id: 'rule-errors', 'aria-labelledby': 'rule-errors-heading' }, ...tokens.ruleErrors.map(errorItem)));
  }
  return view;
}

function tokenTable(kind, name, command, token) {
  const issued = token.after !== null;
  const caption = issued
    ? el('caption', {}, `${name}: claims before and after the patch (`, el('code', {}, command), ')')
    : el('caption', {}, `${name} as Okta minted it: not issued`);
  const head = issued ? ['Claim', 'Before', 'After', 'Change'] : ['Claim', 'As minted'];
  const table = el('table', { class: 'updates claims', 'data-token': kind },
    caption,
    el('thead', {}, el('tr', {}, ...head.map((text) => el('th', { scope: 'col' }, text)))),
  );
  const body = el('tbody');
  for (const row of claimRows(token)) {
    const cells = [el('td', {}, el('code', {}, row.name)), valueCell(row.before)];
    if (issued) cells.push(valueCell(row.after), changeCell(row.change));
    body.append(el('tr', { class: `claim claim--${row.change?.change ?? 'unchanged'}`, 'data-claim': row.name }, ...cells));
  }
  const lifetimeChange = token.changes.find((change) => change.change === 'lifetime');
  const lifetimeCells = [el('td', {}, el('em', {}, 'lifetime')), el('td', {}, lifetime(token.before.lifetime))];
  if (issued) lifetimeCells.push(el('td', {}, lifetime(token.after.lifetime)), changeCell(lifetimeChange));
  body.append(el('tr', { class: `claim lifetime claim--${lifetimeChange ? 'lifetime' : 'unchanged'}`, 'data-lifetime': kind }, ...lifetimeCells));
  table.append(body);
  if (!token.oktaWouldDrop) return table;
  return el('div', {}, table, el('p', { class: 'field-error' }, `Okta would refuse this patch and issue the ${name} unchanged: ${token.oktaWouldDrop}`));
}

/** Every claim of the token as minted, in Okta's order, then those the patch adds. */
function claimRows(token) {
  const changeOf = new Map(token.changes.filter((change) => change.claim !== undefined).map((change) => [change.claim, change]));
  const after = token.after?.claims ?? {};
  const rows = Object.keys(token.before.claims).map((name) => ({ name, before: { value: token.before.claims[name] }, after: present(after, name), change: changeOf.get(name) }));
  for (const name of Object.keys(after)) {
    if (!Object.hasOwn(token.before.claims, name)) rows.push({ name, before: undefined, after: { value: after[name] }, change: changeOf.get(name) });
  }
  return rows;
}

function present(claims, name) {
  return Object.hasOwn(claims, name) ? { value: claims[name] } : undefined;
}

function valueCell(cell) {
  return el('td', {}, cell === undefined ? el('span', { class: 'muted' }, '(none)') : el('code', {}, JSON.stringify(cell.value)));
}

function changeCell(change) {
  if (!change) return el('td', {});
  return el('td', {}, el('span', { class: `mark mark--${change.change}` }, CHANGE_TEXT[change.change]), ' by rule ', el('code', {}, change.ruleId));
}

function droppedItem(change) {
  const what = change.change === 'lifetime' ? ['lifetime'] : [`${change.change} `, el('code', {}, change.claim)];
  return el('li', { 'data-rule': change.ruleId, 'data-reason': change.reason },
    `${TOKEN_NAME[change.token]}: `, ...what, ' (rule ', el('code', {}, change.ruleId), '): ',
    el('strong', {}, change.reason), `: ${change.message}`,
  );
}

function errorItem(error) {
  const rule = error.ruleId ? ['rule ', el('code', {}, error.ruleId), ': '] : [];
  const where = [TOKEN_NAME[error.token], error.change, error.claim].filter((part) => part !== undefined).join(' ');
  return el('li', error.ruleId ? { 'data-rule': error.ruleId } : {}, ...rule, where ? `${where}: ` : '', error.message);
}

/** Seconds as Okta gives them, with hours or minutes beside when they are whole. */
function lifetime(seconds) {
  if (typeof seconds !== 'number') return el('span', { class: 'muted' }, '(not given)');
  const human = seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : '';
  return `${seconds} s${human ? ` (${human})` : ''}`;
}
