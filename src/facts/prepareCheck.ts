import type { Logger } from '../observability/log.js';
import type { RuleError } from '../language/RuleError.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { FactSources } from './FactSources.js';
import type { Database } from './sources/Database.js';
import { describeSqlstate } from './sqlstate.js';

/** Enough for a database that answers at all; one that does not is reported as not checked. */
const DESCRIBE_TIMEOUT_MS = 5_000;

export interface PrepareCheck {
  /** SQL the database refuses (an unknown table or column, a type that does not fit): at the fact. */
  errors: RuleError[];
  /** Facts whose SQL could not be checked (the variable is not set, the database did not answer): at the fact. */
  skipped: RuleError[];
}

/**
 * Prepares each SQL fact's statement on the database its variable names: PostgreSQL parses it
 * and resolves its tables, columns and types, and runs nothing. A misspelt column is then an
 * error at the fact's file:line:column when the rules load, instead of a `query_error` on
 * every request. `databaseFor` gives the database a variable names, already opened, or
 * undefined when the variable is not set (or not a database URL: the load reports that).
 */
export async function prepareCheck(ruleset: CompiledRuleset, databaseFor: (variable: string) => Database | undefined): Promise<PrepareCheck> {
  const errors: RuleError[] = [];
  const skipped: RuleError[] = [];
  const unset = new Set<string>();
  await Promise.all(
    [...ruleset.facts.values()].map(async (fact) => {
      if (fact.lookup.kind !== 'sql') return;
      const variable = fact.lookup.database;
      const at = fact.source;
      const database = databaseFor(variable);
      if (!database) {
        // Said once per variable: one line is enough to know why none of its facts was checked.
        if (!unset.has(variable)) skipped.push({ ...at, message: `fact "${fact.name}": the SQL was not checked against a database (${variable} is not set)` });
        unset.add(variable);
        return;
      }
      const described = await database.describe(fact.lookup.sql, AbortSignal.timeout(DESCRIBE_TIMEOUT_MS));
      if (described.ok) return;
      if (described.refused) errors.push({ ...at, message: `fact "${fact.name}": ${variable} refuses the SQL: ${describeSqlstate(described.code)}: ${described.message}` });
      else skipped.push({ ...at, message: `fact "${fact.name}": the SQL was not checked against a database (${described.message})` });
    }),
  );
  const order = (a: RuleError, b: RuleError) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
  return { errors: errors.sort(order), skipped: skipped.sort(order) };
}

/**
 * The service's check, on its own (opened) databases: facts not checked are logged as warnings;
 * refused SQL is returned, for the start and the reloader to refuse the ruleset with (they log it).
 */
export async function checkFactSql(ruleset: CompiledRuleset, facts: FactSources, logger: Logger): Promise<RuleError[]> {
  const checked = await prepareCheck(ruleset, (variable) => facts.databaseFor(variable));
  for (const note of checked.skipped) logger.warn({ file: note.file, line: note.line }, note.message);
  return checked.errors;
}
