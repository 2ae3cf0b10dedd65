import jsonLogic from 'json-logic-js';
import { registerCustomOperations } from './operators.js';

registerCustomOperations();

/** A JSON-Logic expression checked at load, ready to run against a request's facts. */
export interface CompiledLogic {
  readonly logic: unknown;
  run(data: object): unknown;
}

/**
 * The one place that knows which engine runs conditions. json-logic-js defines their
 * meaning; the JsonLogic conformance suite (test/engine) holds any engine to it.
 */
export function compileLogic(logic: unknown): CompiledLogic {
  return {
    logic,
    run: (data) => jsonLogic.apply(logic as jsonLogic.RulesLogic, data),
  };
}

/** JsonLogic's truthiness (not JavaScript's): "0" is true, [] is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
