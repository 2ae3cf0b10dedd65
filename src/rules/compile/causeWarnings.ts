import type { PathSegment, Positions } from '../../language/position.js';
import type { RuleError } from '../../language/RuleError.js';
import type { DenySpec } from '../types.js';

/** `data.userProfile.<attribute>`: the only cause location the Sign-In Widget places next to a field. */
const FIELD_LOCATION = /^data\.userProfile\.[^.\s[\]]+$/;

/**
 * A cause whose location is not `data.userProfile.<attribute>` loads, but Okta's widget shows
 * it at no field (and its message may be lost): a warning, an error under `validate --strict`.
 */
export function causeWarnings(deny: DenySpec, path: PathSegment[], file: Positions): RuleError[] {
  const warnings: RuleError[] = [];
  (deny.causes ?? []).forEach((cause, index) => {
    if (cause.location === undefined || FIELD_LOCATION.test(cause.location)) return;
    warnings.push({
      ...file.positionOf([...path, 'causes', index], 'location'),
      message: `cause location "${cause.location}" is not data.userProfile.<attribute>: the Sign-In Widget shows this cause at no field`,
    });
  });
  return warnings;
}
