// What the end user would see in Okta's Sign-In Widget for one hook response, following
// Okta's contract (CONTRACT.md §2.3). Pure functions: the page renders them, tests import them.

export const ACTION_COMMAND = 'com.okta.action.update';
export const UPDATE_COMMANDS = ['com.okta.user.profile.update', 'com.okta.user.progressive.profile.update'];

/** Okta's own texts where the response carries none. */
export const GENERIC_MESSAGES = {
  'self.service.registration': {
    noCauses: 'Registration cannot be completed at this time.',
    noError: 'Registration denied.',
  },
  'progressive.profile': {
    noCauses: 'We found some errors. Please review the form and make corrections.',
    noError: 'Profile update denied.',
  },
};

/** The widget keys inline field errors on a cause location of data.userProfile.<attribute>. */
const FIELD_LOCATION = /^data\.userProfile\.([^.[\]]+)$/;

/** Where the form's fields come from: what the user submitted in that flow. */
export function submittedKey(requestType) {
  return requestType === 'progressive.profile' ? 'userProfileUpdate' : 'userProfile';
}

/**
 * @param {string} requestType  'self.service.registration' | 'progressive.profile'
 * @param {Record<string, unknown>} submitted  the attributes on the form
 * @param {{commands?: Array<{type: string, value: any}>, error?: {errorSummary?: string, errorCauses?: Array<{errorSummary?: string, location?: string}>}}} response
 * @returns {{outcome: 'allow'|'deny', formMessages: Array<{text: string, generic: boolean}>,
 *   fields: Array<{name: string, value: unknown, messages: string[]}>, updates: Record<string, unknown>}}
 */
export function widgetView(requestType, submitted, response) {
  const generic = GENERIC_MESSAGES[requestType] ?? GENERIC_MESSAGES['self.service.registration'];
  const fields = Object.entries(submitted ?? {}).map(([name, value]) => ({ name, value, messages: [] }));
  const byName = new Map(fields.map((field) => [field.name, field]));
  const commands = Array.isArray(response?.commands) ? response.commands : [];
  const formMessages = [];

  // Any error object fails the flow, whatever the commands say.
  if (response?.error && typeof response.error === 'object') {
    const causes = Array.isArray(response.error.errorCauses) ? response.error.errorCauses : [];
    if (causes.length === 0) formMessages.push({ text: generic.noCauses, generic: true });
    for (const cause of causes) {
      const text = typeof cause?.errorSummary === 'string' ? cause.errorSummary : '';
      const match = FIELD_LOCATION.exec(cause?.location ?? '');
      const field = match ? byName.get(match[1]) : undefined;
      if (field) field.messages.push(text);
      else formMessages.push({ text, generic: false });
    }
    return { outcome: 'deny', formMessages, fields, updates: {} };
  }

  const denied = commands.some((command) => command?.type === ACTION_COMMAND && command.value?.registration === 'DENY');
  if (denied) return { outcome: 'deny', formMessages: [{ text: generic.noError, generic: true }], fields, updates: {} };

  const updates = {};
  for (const command of commands) {
    if (UPDATE_COMMANDS.includes(command?.type) && command.value && typeof command.value === 'object') Object.assign(updates, command.value);
  }
  return { outcome: 'allow', formMessages, fields, updates };
}
