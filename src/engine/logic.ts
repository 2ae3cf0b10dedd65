import jsonLogic from 'json-logic-js';
import type { RE2JS } from 're2js';
import { compileJsonLogic } from './compileJsonLogic.js';
import { bindOperation, CUSTOM_OPERATIONS, registerCustomOperations } from './operators.js';

// json-logic-js stays the reference: explain mode and the parity tests call it directly.
registerCustomOperations();

/** A JSON-Logic expression checked at load, ready to run against a request's facts. */
export interface CompiledLogic {
  readonly logic: unknown;
  run(data: object): unknown;
}

const custom = CUSTOM_OPERATIONS as unknown as Record<string, (...args: unknown[]) => unknown>;

/**
 * The one place that knows which engine runs conditions. json-logic-js defines their
 * meaning; compileJsonLogic turns an expression into closures once, at load, that give the
 * same results about 10× faster (test/engine/parity.test.ts proves the "same").
 */
export function compileLogic(logic: unknown, context?: LogicContext): CompiledLogic {
  return { logic, run: compileJsonLogic(logic, custom, context && bindOperation(context.patterns)) };
}

/** What a ruleset already holds when its logic compiles: its patterns, bound where written. */
export interface LogicContext {
  patterns: ReadonlyMap<string, RE2JS>;
}

/** JsonLogic's truthiness (not JavaScript's): "0" is true, [] is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
