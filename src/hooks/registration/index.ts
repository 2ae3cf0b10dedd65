import type { OktaHookRequest } from '../../okta/types.js';
import { validateRequest } from '../../okta/validateRequest.js';
import type { HookType } from '../HookType.js';
import { registrationAnswer, type RegistrationAnswer } from './answer.js';
import { registrationContext } from './context.js';
import { registrationSubject } from './subject.js';

/**
 * Okta's registration inline hook: self-service registration and progressive profile
 * (com.okta.user.pre-registration). Its rules allow, deny (with causes the widget places
 * beside a field) and set profile attributes.
 */
export const registration: HookType<OktaHookRequest, RegistrationAnswer> = {
  name: 'registration',
  requestTypes: ['self.service.registration', 'progressive.profile'],
  outcomes: ['allow', 'deny', 'update', 'updateFrom'],
  parse: validateRequest,
  context: registrationContext,
  answer: (decision, _request, options) => registrationAnswer(decision, options),
  subject: registrationSubject,
};

export { registrationAnswer, type RegistrationAnswer } from './answer.js';
export { registrationContext, conditionData, type RegistrationData } from './context.js';
export { detectRequestType, type RequestTypeVerdict } from './requestType.js';
export { toOktaResponse, type ResponseMeta } from './toOktaResponse.js';
