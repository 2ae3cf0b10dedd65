// The preview page: edit an Okta request, ask the service to decide it, show the answer and why.
import { HttpStatusError, readEvents } from './sse.js';
import { TYPE_LABELS, decidedBy, el, factItem, traceItem, widgetCard } from './render.js';
import { tokensView } from './tokens.js';
import { submittedKey, widgetView } from './widget.js';

const API = '/preview/api';
const TOKEN = 'token';
const TOKEN_EVENT_TYPE = 'com.okta.oauth2.tokens.transform';
const SECRET_KEY = 'okta-hook-rules.preview.secret';
const TOKEN_KEY = 'okta-hook-rules.preview.token';

const $ = (id) => document.getElementById(id);
const authHeader = document.querySelector('meta[name="preview-auth-header"]').content;
const authRequired = document.querySelector('meta[name="preview-auth-required"]').content === 'true';
const authSecret = document.querySelector('meta[name="preview-auth-secret"]').content === 'true';
const authOAuth = document.querySelector('meta[name="preview-auth-oauth"]').content === 'true';

const page = {
  samples: [],
  requestType: 'self.service.registration',
  request: {},
  evaluation: 0, // sequence number: only the newest answer is shown
  evaluatedVersion: undefined, // the ruleset version of the answer on screen
  timer: undefined,
};

// ---- talking to the service -------------------------------------------------------------

/** The hook's credentials: a bearer token (OAuth), a header secret, or both when they use different headers. */
function authHeaders() {
  const secret = sessionStorage.getItem(SECRET_KEY);
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (secret && !(token && authHeader === 'authorization')) headers[authHeader] = secret;
  return headers;
}

const signedIn = () => Boolean(sessionStorage.getItem(SECRET_KEY) || sessionStorage.getItem(TOKEN_KEY));

async function api(path, init = {}) {
  const response = await fetch(`${API}${path}`, { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) }, cache: 'no-store' });
  if (response.status === 401) {
    askForSecret(signedIn() ? 'That was not accepted (a wrong secret, or an expired or invalid token).' : '');
    throw new HttpStatusError(401);
  }
  const body = await response.json();
  return { ok: response.ok, status: response.status, body };
}

function askForSecret(problem) {
  $('auth').hidden = false;
  $('auth-header-name').textContent = authHeader;
  // Only what the service accepts is offered; with neither configured the page never asks.
  $('auth-secret-part').hidden = !authSecret;
  $('auth-token-part').hidden = !authOAuth;
  $('auth-error').textContent = problem;
  $(authSecret ? 'auth-secret' : 'auth-token').focus();
}

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const secret = $('auth-secret').value;
  const token = $('auth-token').value.trim().replace(/^Bearer\s+/i, '');
  if (!secret && !token) {
    $('auth-error').textContent = authOAuth ? 'Enter the hook secret or a bearer token.' : 'Enter the hook secret.';
    return;
  }
  sessionStorage.removeItem(SECRET_KEY);
  sessionStorage.removeItem(TOKEN_KEY);
  if (secret) sessionStorage.setItem(SECRET_KEY, secret);
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  $('auth-secret').value = '';
  $('auth-token').value = '';
  $('auth').hidden = true;
  void start();
});

// ---- live ruleset state ----------------------------------------------------------------

function showState(state) {
  $('ruleset-version').textContent = state.rulesetVersion;
  $('ruleset-rules').textContent = `${state.rules} in ${state.files.join(', ')}`;
  const errors = state.loadErrors ?? [];
  $('load-errors').hidden = errors.length === 0;
  $('load-errors-version').textContent = state.rulesetVersion;
  const failure = state.lastReloadFailure;
  $('load-errors-when').textContent = failure ? `Refused at ${new Date(failure.at).toLocaleTimeString()} (${failure.at}), in ${failure.files.join(', ')}.` : '';
  $('load-errors-list').replaceChildren(
    ...errors.map((error) => el('li', {}, el('code', { class: 'position' }, `${error.file}:${error.line}:${error.column}`), ' ', error.text ?? error.message)),
  );
  const warnings = state.warnings ?? [];
  $('rule-warnings').hidden = warnings.length === 0;
  $('rule-warnings-list').replaceChildren(
    ...warnings.map((warning) => el('li', {}, el('code', { class: 'position' }, `${warning.file}:${warning.line}:${warning.column}`), ' ', warning.message)),
  );
}

/** Tells screen reader users what changed in the rules; the banner and version show it to everyone. */
function announce(state) {
  if (state.reason === 'swapped') $('announcer').textContent = `Rules reloaded: version ${state.rulesetVersion}.`;
  if (state.reason === 'rejected') {
    const count = state.loadErrors.length;
    $('announcer').textContent = `The rules did not reload: ${count} error${count === 1 ? '' : 's'}. Version ${state.rulesetVersion} is still in use.`;
  }
}

let liveLoop;
function followLiveUpdates() {
  if (liveLoop) return;
  liveLoop = (async () => {
    let delay = 1000;
    for (;;) {
      try {
        await readEvents(`${API}/events`, authHeaders(), (name, data) => {
          if (name !== 'state') return;
          const state = JSON.parse(data);
          $('live-status').textContent = 'connected';
          delay = 1000;
          showState(state);
          announce(state);
          // Same request, new rules (a reload, or a restarted service): ask again.
          if (page.evaluatedVersion && state.rulesetVersion !== page.evaluatedVersion) scheduleEvaluate(0);
        });
      } catch (error) {
        if (error instanceof HttpStatusError && error.status === 401) {
          askForSecret('');
          liveLoop = undefined;
          $('live-status').textContent = 'off (not signed in)';
          return;
        }
      }
      $('live-status').textContent = 'reconnecting…';
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  })();
}

// ---- the request being edited ----------------------------------------------------------

function loadSample(sample) {
  page.request = structuredClone(sample.request);
  setRequestType(sample.requestType);
  $('sample').value = sample.id; // the list was rebuilt for the type: show the one loaded
  renderAttributes();
  writeRawJson();
  scheduleEvaluate(0);
}

function setRequestType(type) {
  page.requestType = type;
  for (const radio of document.querySelectorAll('input[name="request-type"]')) radio.checked = radio.value === type;
  // A token request has no form of submitted attributes, and no Sign-In Widget shows its answer.
  $('attributes-part').hidden = type === TOKEN;
  $('token-hint').hidden = type !== TOKEN;
  $('widget-part').hidden = type === TOKEN;
  $('raw-json-hint').textContent =
    type === TOKEN ? 'What Okta would POST to the token hook.' : 'What Okta would POST to the hook. Edits here and in the attributes above stay in sync.';
  const key = submittedKey(type);
  $('attributes-path').textContent = `data.${key}`;
  $('attributes-hint').textContent =
    type === 'progressive.profile'
      ? 'The attributes the user adds or changes in the progressive profile form. Their current profile is data.context.user.profile (edit it in the raw JSON).'
      : 'The attributes the user typed in the registration form (Okta never sends the password).';
  const samples = page.samples.filter((sample) => sample.requestType === type);
  $('sample').replaceChildren(...samples.map((sample) => el('option', { value: sample.id }, sample.label)));
}

function submitted() {
  const data = page.request?.data;
  const value = data && typeof data === 'object' ? data[submittedKey(page.requestType)] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function renderAttributes() {
  const rows = Object.entries(submitted()).map(([name, value]) => attributeRow(name, value));
  $('attributes').replaceChildren(...rows);
}

let rowCount = 0;
function attributeRow(name, value) {
  const n = ++rowCount;
  const isText = typeof value === 'string';
  const nameInput = el('input', { id: `attr-name-${n}`, class: 'attr-name', value: name, autocomplete: 'off', spellcheck: 'false' });
  const valueInput = el('input', { id: `attr-value-${n}`, class: 'attr-value', value: isText ? value : JSON.stringify(value), autocomplete: 'off', spellcheck: 'false' });
  valueInput.dataset.kind = isText ? 'text' : 'json';
  const nameLabel = el('label', { for: nameInput.id, class: 'visually-hidden' }, `Name of attribute ${n}`);
  const valueLabel = el('label', { for: valueInput.id, class: 'value-label' }, name || 'new attribute');
  const remove = el('button', { type: 'button', class: 'remove', 'aria-label': `Remove ${name || 'this attribute'}` }, 'Remove');
  const row = el('div', { class: 'attribute' }, nameLabel, nameInput, valueLabel, valueInput);
  if (!isText) row.append(el('span', { class: 'kind', title: 'Sent as JSON (a number, true/false or a list)' }, 'JSON'));
  row.append(remove);
  nameInput.addEventListener('input', () => {
    valueLabel.textContent = nameInput.value || 'new attribute';
    remove.setAttribute('aria-label', `Remove ${nameInput.value || 'this attribute'}`);
    attributesChanged();
  });
  valueInput.addEventListener('input', attributesChanged);
  remove.addEventListener('click', () => {
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    attributesChanged();
    (next?.querySelector('.attr-value') ?? $('add-attribute')).focus();
  });
  return row;
}

/** The form is the source: rebuild the submitted attributes from its rows, in order. */
function attributesChanged() {
  const values = {};
  for (const row of $('attributes').querySelectorAll('.attribute')) {
    const name = row.querySelector('.attr-name').value.trim();
    if (!name) continue;
    const input = row.querySelector('.attr-value');
    values[name] = input.dataset.kind === 'json' ? parseOr(input.value, input.value) : input.value;
  }
  if (!page.request.data || typeof page.request.data !== 'object') page.request.data = {};
  page.request.data[submittedKey(page.requestType)] = values;
  writeRawJson();
  scheduleEvaluate();
}

function writeRawJson() {
  $('raw-json').value = JSON.stringify(page.request, null, 2);
  $('raw-json').removeAttribute('aria-invalid');
  $('raw-json-error').textContent = '';
}

/** The raw JSON is the source: take it when it parses, and rebuild the form from it. */
$('raw-json').addEventListener('input', () => {
  let parsed;
  try {
    parsed = JSON.parse($('raw-json').value);
  } catch (error) {
    $('raw-json').setAttribute('aria-invalid', 'true');
    $('raw-json-error').textContent = `Not valid JSON: ${error.message}`;
    return;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    $('raw-json').setAttribute('aria-invalid', 'true');
    $('raw-json-error').textContent = 'The request must be a JSON object.';
    return;
  }
  $('raw-json').removeAttribute('aria-invalid');
  $('raw-json-error').textContent = '';
  page.request = parsed;
  const type = typeOf(parsed);
  if (type && type !== page.requestType) setRequestType(type);
  renderAttributes();
  scheduleEvaluate();
});

$('add-attribute').addEventListener('click', () => {
  const row = attributeRow('', '');
  $('attributes').append(row);
  row.querySelector('.attr-name').focus();
});

for (const radio of document.querySelectorAll('input[name="request-type"]')) {
  radio.addEventListener('change', () => {
    const sample = page.samples.find((candidate) => candidate.requestType === radio.value);
    if (sample) loadSample(sample); // the two flows have different shapes: start from that flow's sample
  });
}

$('load-sample').addEventListener('click', () => {
  const sample = page.samples.find((candidate) => candidate.id === $('sample').value);
  if (sample) loadSample(sample);
});

// ---- asking for a decision and showing it ----------------------------------------------

function scheduleEvaluate(delay = 250) {
  clearTimeout(page.timer);
  page.timer = setTimeout(() => void evaluateNow(), delay);
}

async function evaluateNow() {
  const sequence = ++page.evaluation;
  let answer;
  try {
    answer = await api('/evaluate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(page.request) });
  } catch (error) {
    if (!(error instanceof HttpStatusError)) showProblem('The service did not answer.', [String(error.message ?? error)]);
    return;
  }
  if (sequence !== page.evaluation) return;
  if (!answer.ok) {
    showProblem(answer.body?.error?.message ?? `HTTP ${answer.status}`, answer.body?.error?.details ?? []);
    return;
  }
  showEvaluation(answer.body);
}

/** The request type a body says it is: Okta's token event type, or a registration requestType. */
function typeOf(body) {
  if (body.eventType === TOKEN_EVENT_TYPE) return TOKEN;
  return body.requestType in TYPE_LABELS && body.requestType !== TOKEN ? body.requestType : undefined;
}

function showProblem(message, details) {
  $('summary').className = 'summary summary--problem';
  $('summary').replaceChildren(el('strong', {}, 'Not evaluated: '), message, details.length ? el('ul', {}, ...details.map((d) => el('li', {}, d))) : '');
  $('updates').replaceChildren();
  $('counters').replaceChildren();
  $('tokens').replaceChildren();
  $('widget').replaceChildren();
  $('trace').replaceChildren();
  $('facts').replaceChildren();
  $('facts-section').hidden = true;
  $('response').textContent = '';
}

function showEvaluation({ request, response, decision, trace, facts = [], rulesetVersion, counters = [], tokens }) {
  page.evaluatedVersion = rulesetVersion;
  const type = decision.requestType;
  $('summary').className = `summary summary--${decision.outcome}`;
  $('summary').replaceChildren(
    el('span', { class: `verdict verdict--${decision.outcome}` }, decision.outcome.toUpperCase()),
    ' ',
    decidedBy(decision, type),
    el('p', { class: 'note muted small' }, `${TYPE_LABELS[type]} · ruleset ${rulesetVersion}`),
  );
  if (decision.deny) {
    $('summary').append(el('p', { class: 'note' }, 'Message: ', decision.deny.message));
    if (decision.deniedBy) $('summary').append(el('p', { class: 'note', id: 'denied-by' }, `Causes from every matching deny rule (settings.denyCauses: all): ${decision.deniedBy.join(', ')}`));
    if (decision.deny.internalReason) $('summary').append(el('p', { class: 'note muted' }, 'Internal reason (System Log only): ', decision.deny.internalReason));
  }
  if (decision.requestTypeNote) $('summary').append(el('p', { class: 'note' }, `Note: ${decision.requestTypeNote}`));

  const updates = Object.entries(decision.updates);
  $('updates').replaceChildren(
    updates.length === 0
      ? ''
      : el('table', { class: 'updates' },
          el('caption', {}, 'Profile update sent to Okta'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Attribute'), el('th', { scope: 'col' }, 'Value'), el('th', { scope: 'col' }, 'Set by rule'))),
          el('tbody', {}, ...updates.map(([name, value]) => el('tr', {}, el('td', {}, el('code', {}, name)), el('td', {}, el('code', {}, JSON.stringify(value))), el('td', {}, el('code', {}, decision.updatedBy[name]))))),
        ),
  );

  // Counters are read, never counted, by the preview: the values a real request would see now.
  $('counters').replaceChildren(
    counters.length === 0
      ? ''
      : el('table', { class: 'updates counters' },
          el('caption', {}, 'Counters (read, not counted, by this preview)'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Counter'), el('th', { scope: 'col' }, 'Key (masked)'), el('th', { scope: 'col' }, 'Value'), el('th', { scope: 'col' }, 'Note'))),
          el('tbody', {}, ...counters.map((c) => el('tr', {},
            el('td', {}, el('code', {}, c.name)),
            el('td', {}, c.key === null ? el('span', { class: 'muted' }, 'none (not counted)') : el('code', {}, c.key)),
            el('td', {}, String(c.value)),
            el('td', {}, c.failed ? `store failed (${c.failed.reason}): onError ${c.failed.onError}` : `${c.count}${c.use === 'read' ? ', read only' : c.use === 'peeked' ? ', not counted (a real request would be)' : ''}`),
          ))),
        ),
  );

  $('tokens').replaceChildren(tokens ? tokensView(tokens) : '');
  const submittedValues = request.data?.[submittedKey(type)] ?? request.data?.userProfile ?? {};
  $('widget').replaceChildren(type === TOKEN ? '' : widgetCard(type, widgetView(type, submittedValues, response)));
  $('facts-section').hidden = facts.length === 0;
  $('facts').replaceChildren(...facts.map((fact) => factItem(fact)));
  $('trace').replaceChildren(...trace.map((entry) => traceItem(entry, decision)));
  $('response').textContent = JSON.stringify(response, null, 2);
}

// ---- small helpers ---------------------------------------------------------------------

function parseOr(text, fallback) {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  try {
    const [{ body: samples }, { body: state }] = await Promise.all([api('/samples'), api('/state')]);
    page.samples = samples.samples;
    showState(state);
    followLiveUpdates();
    // Open on a sample the rules decide: a folder of token rules opens on a token request.
    if (!page.request.data) loadSample(page.samples.find((sample) => state.requestTypes?.includes(sample.requestType)) ?? page.samples[0]);
    else scheduleEvaluate(0);
  } catch (error) {
    if (!(error instanceof HttpStatusError)) showProblem('The service did not answer.', [String(error.message ?? error)]);
  }
}

if (authRequired && !signedIn()) askForSecret('');
else void start();
