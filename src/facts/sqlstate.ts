/**
 * SQLSTATE codes with PostgreSQL's condition names (from its errcodes.txt, "Appendix A" of the
 * manual): the codes a fact's SQL commonly meets, and every class. A log line reads
 * `42703 undefined_column`, which a rule author can act on; a bare code sends them to the manual.
 */
const NAMES: Readonly<Record<string, string>> = {
  // Classes: the code ending in 000 names its class.
  '08000': 'connection_exception',
  '0A000': 'feature_not_supported',
  '21000': 'cardinality_violation',
  '22000': 'data_exception',
  '23000': 'integrity_constraint_violation',
  '25000': 'invalid_transaction_state',
  '26000': 'invalid_sql_statement_name',
  '28000': 'invalid_authorization_specification',
  '2F000': 'sql_routine_exception',
  '38000': 'external_routine_exception',
  '3D000': 'invalid_catalog_name',
  '3F000': 'invalid_schema_name',
  '40000': 'transaction_rollback',
  '42000': 'syntax_error_or_access_rule_violation',
  '53000': 'insufficient_resources',
  '54000': 'program_limit_exceeded',
  '55000': 'object_not_in_prerequisite_state',
  '57000': 'operator_intervention',
  '58000': 'system_error',
  P0000: 'plpgsql_error',
  XX000: 'internal_error',
  // Connections
  '08001': 'sqlclient_unable_to_establish_sqlconnection',
  '08006': 'connection_failure',
  '28P01': 'invalid_password',
  '53300': 'too_many_connections',
  '57P01': 'admin_shutdown',
  '57P03': 'cannot_connect_now',
  // A parameter the database cannot take
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22012': 'division_by_zero',
  '22021': 'character_not_in_repertoire',
  '22023': 'invalid_parameter_value',
  '2201B': 'invalid_regular_expression',
  '22P02': 'invalid_text_representation',
  // Read-only and transactions
  '25001': 'active_sql_transaction',
  '25006': 'read_only_sql_transaction',
  '25P02': 'in_failed_sql_transaction',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '55P03': 'lock_not_available',
  '57014': 'query_canceled',
  // The SQL itself
  '42501': 'insufficient_privilege',
  '42601': 'syntax_error',
  '42P01': 'undefined_table',
  '42P02': 'undefined_parameter',
  '42P08': 'ambiguous_parameter',
  '42P10': 'invalid_column_reference',
  '42P18': 'indeterminate_datatype',
  '42702': 'ambiguous_column',
  '42703': 'undefined_column',
  '42704': 'undefined_object',
  '42725': 'ambiguous_function',
  '42803': 'grouping_error',
  '42804': 'datatype_mismatch',
  '42846': 'cannot_coerce',
  '42883': 'undefined_function',
  '54001': 'statement_too_complex',
};

/** True for text shaped like a SQLSTATE: five digits or capital letters. */
export function isSqlstate(code: unknown): code is string {
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** `42703 undefined_column`; a code not in the table is named by its class (`42P99 in class syntax_error_or_access_rule_violation`). */
export function describeSqlstate(code: string): string {
  const name = NAMES[code];
  if (name) return `${code} ${name}`;
  const family = NAMES[`${code.slice(0, 2)}000`];
  return family ? `${code} in class ${family}` : code;
}
