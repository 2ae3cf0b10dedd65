import type { SourcePosition } from '../../language/position.js';
import { GENERIC_DENY_MESSAGE } from '../../okta/denyMessages.js';
import { REQUEST_TYPES, type RequestType } from '../../okta/types.js';
import type { DefaultOutcome } from '../../ruleset/CompiledRuleset.js';
import { causeWarnings } from './causeWarnings.js';
import type { CompileFile, CompileState } from './CompileFile.js';

/** The `defaults` sections: one default per request type across every file; allow where none is set. */
export class DefaultsCompiler {
  private readonly defaults: Partial<Record<RequestType, { outcome: DefaultOutcome; at: SourcePosition }>> = {};

  constructor(private readonly state: CompileState) {}

  add(file: CompileFile): void {
    if (!file.schemaValid) return;
    for (const type of REQUEST_TYPES) {
      const spec = file.content.defaults?.[type];
      if (spec === undefined) continue;
      const position = file.positionOf(['defaults'], type);
      const earlier = this.defaults[type];
      if (earlier) {
        file.fail(['defaults'], `the default for ${type} is already set at ${earlier.at.file}:${earlier.at.line}:${earlier.at.column}`, type);
        continue;
      }
      const outcome: DefaultOutcome =
        spec === 'allow'
          ? { decision: 'allow' }
          : spec === 'deny'
            ? { decision: 'deny', deny: { message: GENERIC_DENY_MESSAGE[type] } }
            : { decision: 'deny', deny: spec.deny };
      if (typeof spec === 'object') this.state.warnings.push(...causeWarnings(spec.deny, ['defaults', type, 'deny'], file));
      this.defaults[type] = { outcome, at: position };
    }
  }

  /** Each request type's default outcome. */
  outcomes(): Record<RequestType, DefaultOutcome> {
    return Object.fromEntries(REQUEST_TYPES.map((type) => [type, this.defaults[type]?.outcome ?? { decision: 'allow' }])) as Record<RequestType, DefaultOutcome>;
  }

  /** Where each default was set, for the request types whose default a file sets. */
  sources(): Partial<Record<RequestType, SourcePosition>> {
    return Object.fromEntries(Object.entries(this.defaults).map(([type, spec]) => [type, spec.at]));
  }
}
