import type { RequestType } from './types.js';

/** Okta's own wording when a registration or profile update is refused without details. */
export const GENERIC_DENY_MESSAGE: Record<RequestType, string> = {
  'self.service.registration': 'Registration cannot be completed at this time.',
  'progressive.profile': 'Your profile could not be updated at this time.',
  // The client receives it as error_description beside server_error.
  token: 'The token could not be issued at this time.',
};
