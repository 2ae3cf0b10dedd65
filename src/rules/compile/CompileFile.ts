import type { RE2JS } from 're2js';
import { compileLogic, type CompiledLogic } from '../../engine/logic.js';
import type { OperatorScope } from '../../engine/operators.js';
import { checkLogic, type LogicProblem } from '../../language/checkLogic.js';
import type { PathSegment, SourcePosition } from '../../language/position.js';
import type { RuleError } from '../../language/RuleError.js';
import type { Report, SectionFile } from '../../language/section.js';
import type { ListSource } from '../listSources.js';
import type { NamedList } from '../lists.js';
import type { ParsedYaml } from '../parseYamlFile.js';
import type { RuleFile } from '../types.js';
import { ruleAt } from '../validateRuleFile.js';

/** Where an expression names a list: checked against the lists once every file is read. */
export interface ListUse {
  name: string;
  at: SourcePosition;
  rule?: { rule: NonNullable<RuleError['rule']> } | undefined;
}

/** What every section of one compile shares. */
export interface CompileState extends Report {
  /** Patterns compiled so far, one per pattern and flags, shared by every expression. */
  readonly patterns: Map<string, RE2JS>;
  /** The ruleset's lists, filled by the lists section; expressions are bound to this map. */
  readonly lists: Map<string, NamedList>;
  readonly listUses: ListUse[];
}

export function compileState(): CompileState {
  return { errors: [], warnings: [], patterns: new Map(), lists: new Map(), listUses: [] };
}

/** One rule file while it compiles: its content, and what the sections need of it. */
export class CompileFile implements SectionFile {
  private readonly scope: OperatorScope;

  constructor(
    readonly parsed: ParsedYaml,
    /** For a file that failed the schema, only what is safe to walk (see salvage.ts). */
    readonly content: RuleFile,
    /**
     * false: the file failed the schema (those errors are reported already). Its conditions,
     * ids and list names are still checked, so one run reports every problem; nothing of it is built.
     */
    readonly schemaValid: boolean,
    /** Entries of the lists this file takes from a file or package. */
    readonly listSources: ReadonlyMap<string, ListSource> | undefined,
    private readonly state: CompileState,
  ) {
    this.scope = { patterns: state.patterns, lists: state.lists };
  }

  positionOf(path: readonly PathSegment[], key?: string): SourcePosition {
    return this.parsed.positionOf(path, key);
  }

  /** A problem at `path`; inside a rule, it names the rule. */
  fail(path: PathSegment[], message: string, key?: string, warning?: boolean): void {
    const rule = ruleAt(this.parsed, path);
    (warning ? this.state.warnings : this.state.errors).push({ ...this.positionOf(path, key), ...(rule ?? {}), message });
  }

  check(logic: unknown, path: PathSegment[]): LogicProblem[] {
    const needs = { lists: new Map<string, PathSegment[]>(), patterns: this.state.patterns };
    const problems = checkLogic(logic, path, needs);
    for (const [name, usePath] of needs.lists) this.state.listUses.push({ name, at: this.positionOf(usePath), rule: ruleAt(this.parsed, usePath) });
    return problems;
  }

  compile(logic: unknown): CompiledLogic {
    return compileLogic(logic, this.scope);
  }
}
