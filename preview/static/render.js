// Rendering of one evaluation: the decision, the widget mock and the rule trace. DOM only, no state.

export const TYPE_LABELS = { 'self.service.registration': 'self-service registration', 'progressive.profile': 'progressive profile', token: 'token' };

export function decidedBy(decision, type) {
  const by = decision.decidedBy;
  if (by.kind === 'rule') return el('span', {}, 'decided by rule ', el('code', {}, by.ruleId));
  if (by.kind === 'error' && decision.failedFacts?.length) return el('span', {}, 'because rule ', el('code', {}, by.ruleId), ' reads a fact whose lookup failed (its onError decided)');
  if (by.kind === 'error' && !by.ruleId) return el('span', {}, "because the answer would be too large for Okta (ON_RULE_ERROR=deny; see the response's internalReason)");
  if (by.kind === 'error') return el('span', {}, 'because rule ', el('code', {}, by.ruleId), ' failed (ON_RULE_ERROR=deny)');
  return el('span', {}, `by the default for ${TYPE_LABELS[type]}: no allow or deny rule matched`);
}

/** A mock of the Sign-In Widget's form for one answer (see widget.js for where messages go). */
export function widgetCard(type, view) {
  const title = type === 'progressive.profile' ? 'Additional profile information' : 'Sign up';
  const form = el('div', { class: 'widget-card', role: 'group', 'aria-label': `Sign-In Widget: ${title}` }, el('p', { class: 'widget-title' }, title));
  for (const message of view.formMessages) {
    form.append(el('div', { class: 'widget-alert' }, message.text, message.generic ? el('span', { class: 'muted small' }, ' (Okta’s generic message: the response gives none)') : ''));
  }
  for (const [index, field] of view.fields.entries()) {
    const id = `widget-field-${index}`;
    const value = typeof field.value === 'string' ? field.value : JSON.stringify(field.value);
    const wrapper = el('div', { class: `widget-field${field.messages.length ? ' widget-field--error' : ''}`, 'data-field': field.name },
      el('label', { for: id }, field.name),
      el('input', { id, value, readonly: '', ...(field.messages.length ? { 'aria-invalid': 'true', 'aria-describedby': `${id}-error` } : {}) }),
    );
    if (field.messages.length) wrapper.append(el('p', { id: `${id}-error`, class: 'widget-field-error' }, field.messages.join(' ')));
    form.append(wrapper);
  }
  if (view.outcome === 'allow') {
    const updated = Object.keys(view.updates);
    form.append(el('p', { class: 'widget-ok' }, type === 'progressive.profile' ? 'The profile is saved' : 'The account is created', updated.length ? ` with ${updated.join(', ')} set by the hook.` : '.'));
  }
  form.append(el('div', { class: 'widget-button', 'aria-hidden': 'true' }, type === 'progressive.profile' ? 'Submit' : 'Sign Up'));
  return form;
}

const STATUS_TEXT = { matched: 'matched', 'not-matched': 'did not match', skipped: 'not evaluated', error: 'failed' };

/** One rule of the trace: its status, where it is, why it did or did not take part, what it saw. */
export function traceItem(entry, decision) {
  const decisive = decision.decidedBy.ruleId === entry.id;
  const item = el('li', { class: `rule rule--${entry.status}${decisive ? ' rule--decisive' : ''}`, 'data-rule': entry.id },
    el('div', { class: 'rule-head' },
      el('span', { class: `badge badge--${entry.status}` }, STATUS_TEXT[entry.status] ?? entry.status),
      el('code', { class: 'rule-id' }, entry.id),
      el('span', { class: 'effect' }, effect(entry, decision)),
      decisive ? el('strong', { class: 'decisive' }, 'decided the outcome') : '',
      el('span', { class: 'where muted' }, `${entry.source.file}:${entry.source.line}`),
    ),
  );
  if (entry.description) item.append(el('p', { class: 'rule-description' }, entry.description));
  item.append(el('p', { class: 'why' }, why(entry, decision)));
  const saw = Object.entries(entry.saw ?? {});
  if (saw.length || 'result' in entry) {
    const facts = el('dl', { class: 'saw' });
    for (const [path, value] of saw) facts.append(el('dt', {}, el('code', {}, path)), el('dd', {}, el('code', {}, show(value))));
    if ('result' in entry) facts.append(el('dt', {}, 'condition result'), el('dd', {}, el('code', {}, show(entry.result))));
    item.append(facts);
  }
  return item;
}

/** One fact fetched for the evaluation: where from, how long, cache hit, the (masked) value or the failure. */
export function factItem(fact) {
  const failed = Boolean(fact.failure);
  const item = el('li', { class: `rule rule--${failed ? 'error' : 'matched'}`, 'data-fact': fact.name },
    el('div', { class: 'rule-head' },
      el('span', { class: `badge badge--${failed ? 'error' : 'matched'}` }, failed ? 'failed' : 'fetched'),
      el('code', { class: 'rule-id' }, fact.name),
      el('span', { class: 'effect' }, fact.source),
      el('span', { class: 'where muted' }, `${fact.ms} ms${fact.cacheHit ? ' · cache hit' : ''}`),
    ),
  );
  item.append(failed
    ? el('p', { class: 'why' }, `${fact.failure.kind}: ${fact.failure.message}. onError ${fact.failure.onError} applied.`)
    : el('p', { class: 'why' }, 'Value (every string, number and true/false masked unless the fact says reveal): ', el('code', {}, show(fact.value))));
  return item;
}

function why(entry, decision) {
  if (entry.factFailure && entry.status === 'not-matched') return `Not evaluated: ${entry.factFailure}.`;
  switch (entry.status) {
    case 'matched':
      return entry.effect === 'deny' ? 'Its condition was true, so it denies.' : `Its condition was true, so it takes part (${effect(entry, decision)}).`;
    case 'not-matched':
      return 'Its condition was false, so it has no effect.';
    case 'skipped':
      return `Not evaluated: rule ${decision.decidedBy.ruleId} had already decided.`;
    default:
      return `It failed: ${entry.error}`;
  }
}

/** A token rule that changes tokens is traced as an update; on the page it is what it sends, a patch. */
function effect(entry, decision) {
  return decision.requestType === 'token' && entry.effect === 'update' ? 'patch' : entry.effect;
}

function show(value) {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** A DOM element; text goes in as text nodes, never as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'value') node.value = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== '' && child !== undefined && child !== null) node.append(child);
  return node;
}
