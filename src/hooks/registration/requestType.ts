import type { OktaHookRequest, RequestType } from '../../okta/types.js';

export interface RequestTypeVerdict {
  type: RequestType;
  /** Set when the type was not taken from `requestType` as sent: says why, for the log. */
  note?: string;
}

/**
 * Which flow a request belongs to. `requestType` decides, unless it is absent (Classic
 * Engine, Dec-2021 captures) or the body contradicts it (a published sample labels an SSR
 * body as progressive profile): then the body decides, since that is what rules read.
 */
export function detectRequestType(request: OktaHookRequest): RequestTypeVerdict {
  const declared = request.requestType;
  const data = request.data;
  const signals = new Set<RequestType>();
  if (isObject(data.userProfileUpdate) || isObject(data.context?.user)) signals.add('progressive.profile');
  if (isObject(data.userProfile) || isObject(data.user?.profile)) signals.add('self.service.registration');

  if (declared && (signals.size === 0 || signals.has(declared))) return { type: declared };
  const fromBody: RequestType = signals.has('progressive.profile') ? 'progressive.profile' : 'self.service.registration';
  const evidence = fromBody === 'progressive.profile' ? 'data.userProfileUpdate or data.context.user' : 'data.userProfile';
  return {
    type: fromBody,
    note: declared
      ? `requestType "${declared}" contradicts the body (${evidence}); treated as ${fromBody}`
      : `no requestType; treated as ${fromBody} from the body (${evidence})`,
  };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
