import jsonLogic from 'json-logic-js';
import { compileJsonLogic } from './compileJsonLogic.js';
import { CUSTOM_OPERATIONS, NO_SCOPE, scopedOperation, type Lists, type OperatorScope } from './operators.js';

/** A JSON-Logic expression checked at load, ready to run against a request's facts. */
export interface CompiledLogic {
  readonly logic: unknown;
  /** `lists`: the lists `in_list` reads; by default the ones the expression was compiled with. */
  run(data: object, lists?: Lists): unknown;
}

const plain = CUSTOM_OPERATIONS as unknown as Record<string, (...args: unknown[]) => unknown>;

/**
 * The one place that knows which engine runs conditions. json-logic-js defines their
 * meaning; compileJsonLogic turns an expression into closures once, at load, that give the
 * same results without walking the expression again on each request
 * (test/engine/parity.test.ts proves the "same").
 */
export function compileLogic(logic: unknown, scope: OperatorScope = NO_SCOPE): CompiledLogic {
  const run = compileJsonLogic<Lists>(logic, { plain, scoped: (op, args) => scopedOperation(scope.patterns, op, args) });
  return { logic, run: (data, lists = scope.lists) => run(data, lists) };
}

/** JsonLogic's truthiness (not JavaScript's): "0" is true, [] is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
