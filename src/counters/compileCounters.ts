import type { SourcePosition } from '../language/position.js';
import type { Expression, NamespaceSection, Report, SectionFile } from '../language/section.js';
import { REGISTRATION_REQUEST_TYPES, REQUEST_TYPES, type RequestType } from '../okta/types.js';
import { counterReads } from './counterReads.js';
import { durationMs } from '../core/duration.js';
import type { CompiledCounter, CounterSpec, CounterUse } from './types.js';

const MAX_WINDOW_MS = 31 * 86_400_000;

export interface CompiledCounters {
  counters: ReadonlyMap<string, CompiledCounter>;
  /** Per request type, the counters it counts or its rules read. */
  countersFor: Record<RequestType, readonly CounterUse[]>;
}

/**
 * The `counters` sections of a ruleset: definitions checked and compiled (a counter's key is
 * JSON-Logic, checked as conditions are), names unique across files; once every file is read,
 * every `counters.NAME` a rule reads is defined and every counter is read.
 */
export class CounterCompiler implements NamespaceSection<CompiledCounters> {
  readonly namespace = 'counters';
  private readonly counters = new Map<string, CompiledCounter>();
  /** Every name defined, compiled or not: a read of one with errors is not "unknown" too. */
  private readonly defined = new Map<string, SourcePosition>();
  private readonly reads: Array<{ name: string | undefined; at: SourcePosition }> = [];

  constructor(private readonly report: Report) {}

  define(file: SectionFile, entries: Readonly<Record<string, unknown>>): void {
    const { errors, warnings } = this.report;
    for (const [name, entry] of Object.entries(entries)) {
      const spec = entry as CounterSpec;
      const base = ['counters', name];
      const source = file.positionOf(['counters'], name);
      const fail = (path: Array<string | number>, message: string, key?: string, warning?: boolean) =>
        (warning ? warnings : errors).push({ ...file.positionOf(path, key), message });
      const earlier = this.defined.get(name);
      if (earlier) {
        fail(['counters'], `counter "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`, name);
        continue;
      }
      this.defined.set(name, source);
      const before = errors.length;
      for (const problem of file.check(spec.key, [...base, 'key'])) fail(problem.path, problem.message, problem.key, problem.warning);
      const key = file.compile(spec.key);
      for (const read of counterReads(spec.key, [...base, 'key'])) fail(read.path, 'a counter\'s key cannot read counters');
      const windowMs = durationMs(spec.window);
      if (windowMs === null || windowMs < 1_000 || windowMs > MAX_WINDOW_MS) fail([...base, 'window'], `window "${spec.window}": from 1s to 31d`);
      if (errors.length > before) continue;
      this.counters.set(name, {
        name,
        key,
        window: spec.window,
        windowMs: windowMs!,
        appliesTo: new Set<RequestType>(spec.appliesTo ?? REGISTRATION_REQUEST_TYPES),
        count: spec.count ?? 'attempts',
        onError: spec.onError ?? 'deny',
        source,
      });
    }
  }

  read(file: SectionFile, expressions: readonly Expression[]): string[] {
    const names: string[] = [];
    for (const [logic, path] of expressions) {
      for (const read of counterReads(logic, path)) {
        this.reads.push({ name: read.name, at: file.positionOf(read.path) });
        if (read.name !== undefined && !names.includes(read.name)) names.push(read.name);
      }
    }
    return names;
  }

  finish(partial: boolean, readBy: (type: RequestType) => readonly string[]): CompiledCounters {
    const used = new Set<string>();
    for (const read of this.reads) {
      if (read.name === undefined) {
        this.report.errors.push({ ...read.at, message: 'read a counter by its name: counters.NAME' });
      } else if (this.defined.has(read.name)) {
        used.add(read.name);
      } else if (!partial) {
        const known = [...this.defined.keys()];
        this.report.errors.push({ ...read.at, message: `unknown counter "${read.name}"${known.length ? ` (known: ${known.join(', ')})` : ' (no counters are defined)'}` });
      }
    }
    if (!partial) {
      for (const counter of this.counters.values()) {
        if (!used.has(counter.name)) this.report.errors.push({ ...counter.source, message: `counter "${counter.name}" is read by no rule (read it as {var: counters.${counter.name}}, or remove it)` });
      }
    }
    const countersFor = Object.fromEntries(
      REQUEST_TYPES.map((type) => {
        const read = new Set(readBy(type));
        const uses = [...this.counters.values()]
          .filter((counter) => counter.appliesTo.has(type) || read.has(counter.name))
          .map((counter): CounterUse => ({ counter, counted: counter.appliesTo.has(type) }));
        return [type, uses];
      }),
    ) as Record<RequestType, CounterUse[]>;
    return { counters: this.counters, countersFor };
  }
}
