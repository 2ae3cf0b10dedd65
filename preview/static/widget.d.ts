// Types for widget.js, so the tests (TypeScript) can import the page's own logic.
import type { OktaHookResponse, RequestType } from '../../src/okta/types.js';

export declare const ACTION_COMMAND: string;
export declare const UPDATE_COMMANDS: string[];
export declare const GENERIC_MESSAGES: Record<RequestType, { noCauses: string; noError: string }>;
export declare function submittedKey(requestType: string): 'userProfile' | 'userProfileUpdate';

export interface WidgetView {
  outcome: 'allow' | 'deny';
  formMessages: Array<{ text: string; generic: boolean }>;
  fields: Array<{ name: string; value: unknown; messages: string[] }>;
  updates: Record<string, unknown>;
}

export declare function widgetView(requestType: string, submitted: Record<string, unknown> | undefined, response: OktaHookResponse): WidgetView;
