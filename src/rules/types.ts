import type { CounterSpec } from '../counters/types.js';
import type { FactSpec } from '../facts/types.js';
import type { Json, JsonObject, RequestType } from '../okta/types.js';

/** The rule format as written in YAML (see schemas/rules.schema.json and docs/rules.md). */
export interface RuleFile {
  description?: string;
  defaults?: Partial<Record<RequestType, DefaultOutcomeSpec>>;
  settings?: Partial<RulesetSettings>;
  lists?: Record<string, ListSpec>;
  counters?: Record<string, CounterSpec>;
  /** External data the rules read as facts.NAME (docs/facts.md). */
  facts?: Record<string, FactSpec>;
  rules?: RuleSpec[];
}

/** Ruleset-wide choices (docs/rules.md, "Settings"). */
export interface RulesetSettings {
  /** first: the first matching deny answers alone; all: the causes of every matching deny rule in one answer. */
  denyCauses: 'first' | 'all';
}

export const DEFAULT_SETTINGS: RulesetSettings = Object.freeze({ denyCauses: 'first' });

export type DefaultOutcomeSpec = 'allow' | 'deny' | { deny: DenySpec };

export type ListSpec =
  | Array<string | number>
  | {
      description?: string;
      kind?: 'values' | 'domains' | 'networks';
      values?: Array<string | number>;
      /** A text or JSON file: relative to the rule file, or inside `package`. */
      file?: string;
      package?: string;
      /** Names of allow-list overrides. */
      except?: string[];
    };

export interface RuleSpec {
  id: string;
  description: string;
  appliesTo: RequestType[];
  priority?: number;
  disabled?: boolean;
  when: Json;
  then: OutcomeSpec;
}

export interface OutcomeSpec {
  allow?: true;
  deny?: DenySpec;
  update?: JsonObject;
  updateFrom?: Json;
  /** Token rules: changes to the access token (docs/token-hook.md). */
  access?: TokenChangeSpec;
  /** Token rules: changes to the ID token. */
  identity?: TokenChangeSpec;
}

/** What a token rule changes in one token: claims set (JSON-Logic values), claims removed, the lifetime. */
export interface TokenChangeSpec {
  claims?: Record<string, Json>;
  remove?: string[];
  lifetime?: string;
}

/** The outcome keys that change a token, as a rule's `then` names them. */
export const TOKEN_OUTCOME_KEYS = ['access', 'identity'] as const;

export interface DenySpec {
  message: string;
  causes?: CauseSpec[];
  internalReason?: string;
}

export interface CauseSpec {
  message: string;
  location?: string;
  reason?: string;
  locationType?: 'body' | 'header' | 'url' | 'query';
  domain?: string;
}
