import { loadRuleset, type LoadOptions, type LoadResult } from '../rules/loadRuleset.js';
import { checkOutcome } from './checkOutcome.js';

/** Loads a rules folder with every hook type's checks of the rules' outcomes: how the service, the CLI and the tests load rules. */
export function loadHookRuleset(dir: string, options: Omit<LoadOptions, 'checkOutcome'> = {}): Promise<LoadResult> {
  return loadRuleset(dir, { ...options, checkOutcome });
}
