import type { PathSegment, SourcePosition } from '../language/position.js';
import type { Expression, NamespaceSection, Report, SectionFile } from '../language/section.js';
import { REQUEST_TYPES, type RequestType } from '../okta/types.js';
import { compileFact, type FactEnvironment } from './compileFact.js';
import { factsRead } from './factsRead.js';
import type { CompiledFact, FactSpec } from './types.js';

export interface CompiledFacts {
  facts: ReadonlyMap<string, CompiledFact>;
  /** The facts the rules of each request type read, in the order those rules run. */
  factsFor: Record<RequestType, readonly CompiledFact[]>;
}

/**
 * The `facts` sections of a ruleset: each fact checked and compiled (compileFact.ts), names
 * unique across files; once every file is read, every `facts.NAME` a rule reads is defined and
 * every fact is read.
 */
export class FactCompiler implements NamespaceSection<CompiledFacts> {
  readonly namespace = 'facts';
  private readonly facts = new Map<string, CompiledFact>();
  /** Every name defined, compiled or not: a read of one with errors is not "unknown" too. */
  private readonly origins = new Map<string, SourcePosition>();
  private readonly reads: Array<{ name: string; at: SourcePosition }> = [];

  constructor(
    private readonly report: Report,
    private readonly environment: FactEnvironment,
  ) {}

  define(file: SectionFile, entries: Readonly<Record<string, unknown>>): void {
    for (const [name, spec] of Object.entries(entries)) {
      const position = file.positionOf(['facts'], name);
      const earlier = this.origins.get(name);
      if (earlier) {
        this.report.errors.push({ ...position, message: `fact "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}` });
        continue;
      }
      this.origins.set(name, position);
      const at = (path: PathSegment[], key?: string) => file.positionOf(path, key);
      const compiled = compileFact(name, spec as FactSpec, ['facts', name], at, file, this.environment);
      this.report.errors.push(...compiled.errors);
      this.report.warnings.push(...compiled.warnings);
      if (compiled.fact) this.facts.set(name, compiled.fact);
    }
  }

  read(file: SectionFile, expressions: readonly Expression[]): string[] {
    const names: string[] = [];
    for (const [logic, path] of expressions) {
      for (const read of factsRead(logic, path)) {
        this.reads.push({ name: read.name, at: file.positionOf(read.path) });
        if (read.name !== '' && !names.includes(read.name)) names.push(read.name);
      }
    }
    return names;
  }

  finish(partial: boolean, readBy: (type: RequestType) => readonly string[]): CompiledFacts {
    const used = new Set<string>();
    for (const read of this.reads) {
      if (read.name === '') this.report.errors.push({ ...read.at, message: 'read one fact, as facts.NAME (or facts.NAME.field), not facts itself' });
      else if (this.origins.has(read.name)) used.add(read.name);
      else if (!partial) {
        const known = [...this.origins.keys()];
        this.report.errors.push({ ...read.at, message: `unknown fact "${read.name}"${known.length ? ` (known: ${known.join(', ')})` : ' (no facts are defined)'}` });
      }
    }
    if (!partial) {
      for (const [name, position] of this.origins) {
        if (!used.has(name)) this.report.errors.push({ ...position, message: `fact "${name}" is read by no rule (remove it, or read it as facts.${name})` });
      }
    }
    const factsFor = Object.fromEntries(
      REQUEST_TYPES.map((type) => [type, [...new Set(readBy(type))].flatMap((name) => this.facts.get(name) ?? [])]),
    ) as Record<RequestType, CompiledFact[]>;
    return { facts: this.facts, factsFor };
  }
}
