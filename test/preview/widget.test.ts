import { expect } from 'chai';
import { toOktaResponse } from '../../src/hooks/registration/index.js';
import { COMMAND, type OktaHookResponse } from '../../src/okta/types.js';
import type { Decision } from '../../src/engine/Decision.js';
import { widgetView } from '../../preview/static/widget.js';

const SSR = 'self.service.registration';
const PP = 'progressive.profile';
const form = { firstName: 'Rosario', email: 'rosario@evil.example' };
const deny = (error?: OktaHookResponse['error']): OktaHookResponse => ({
  commands: [{ type: COMMAND.action, value: { registration: 'DENY' } }],
  ...(error ? { error } : {}),
});

// The page's own logic for "what the end user sees" (CONTRACT.md §2.3), tested where it lives.
describe('preview Sign-In Widget view', () => {
  it('puts a cause next to the field its location names', () => {
    const view = widgetView(SSR, form, deny({ errorSummary: 'No.', errorCauses: [{ errorSummary: 'Use your work email.', location: 'data.userProfile.email' }] }));
    expect(view.outcome).to.equal('deny');
    expect(view.fields.find((f) => f.name === 'email')!.messages).to.deep.equal(['Use your work email.']);
    expect(view.fields.find((f) => f.name === 'firstName')!.messages).to.deep.equal([]);
    expect(view.formMessages).to.deep.equal([]);
  });

  it('shows a cause without a field location, or naming a field not on the form, at the top of the form', () => {
    const view = widgetView(SSR, form, deny({ errorCauses: [{ errorSummary: 'Try later.' }, { errorSummary: 'Bad city.', location: 'data.userProfile.city' }] }));
    expect(view.formMessages).to.deep.equal([
      { text: 'Try later.', generic: false },
      { text: 'Bad city.', generic: false },
    ]);
  });

  it("uses Okta's generic texts where the response gives none", () => {
    expect(widgetView(SSR, form, deny({ errorSummary: 'x' })).formMessages).to.deep.equal([{ text: 'Registration cannot be completed at this time.', generic: true }]);
    expect(widgetView(PP, form, deny({ errorCauses: [] })).formMessages).to.deep.equal([
      { text: 'We found some errors. Please review the form and make corrections.', generic: true },
    ]);
    expect(widgetView(SSR, form, deny()).formMessages).to.deep.equal([{ text: 'Registration denied.', generic: true }]);
    expect(widgetView(PP, form, deny()).formMessages).to.deep.equal([{ text: 'Profile update denied.', generic: true }]);
  });

  it('treats any error as a failure, even next to ALLOW', () => {
    const view = widgetView(SSR, form, { commands: [{ type: COMMAND.action, value: { registration: 'ALLOW' } }], error: {} });
    expect(view.outcome).to.equal('deny');
    expect(view.formMessages[0]!.generic).to.equal(true);
  });

  it('collects profile updates on allow', () => {
    const view = widgetView(PP, { employeeNumber: '1234' }, {
      commands: [
        { type: COMMAND.progressiveProfileUpdate, value: { employeeNumber: '1234' } },
        { type: COMMAND.action, value: { registration: 'ALLOW' } },
      ],
    });
    expect(view).to.deep.include({ outcome: 'allow', formMessages: [], updates: { employeeNumber: '1234' } });
  });

  it("shows this service's deny without causes as the rule's own message, not Okta's generic one", () => {
    const decision: Decision = {
      requestType: SSR,
      outcome: 'deny',
      decidedBy: { kind: 'rule', ruleId: 'r' },
      matchedRuleIds: ['r'],
      deny: { message: 'Sign-ups are closed.' },
      updates: {},
      updatedBy: {},
      rulesetVersion: 'v',
      trace: [],
    };
    const view = widgetView(SSR, form, toOktaResponse(decision, { decisionId: 'd' }));
    expect(view.formMessages).to.deep.equal([{ text: 'Sign-ups are closed.', generic: false }]);
  });
});
