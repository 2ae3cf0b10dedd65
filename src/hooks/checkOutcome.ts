import type { OutcomeCheck } from '../language/outcomeCheck.js';
import { checkTokenOutcome } from './token/checkTokenOutcome.js';

/**
 * Every hook type's load-time check of a rule's outcome, as the rule compiler takes it. The
 * token hook's also refuses token outcomes in registration rules and registration outcomes in
 * token rules; registration's own outcomes are checked by the schema.
 */
export const checkOutcome: OutcomeCheck = (then, appliesTo, at) => checkTokenOutcome(then, appliesTo, at);
