import { nearest } from '../../language/nearest.js';
import type { SourcePosition } from '../../language/position.js';
import { listEntryProblem, NamedList } from '../lists.js';
import type { CompileFile, CompileState } from './CompileFile.js';
import { isRecord } from './salvage.js';

/**
 * The `lists` sections: each list built once (inline entries here; a list file's entries were
 * read by loadRuleset), names unique across files. Once every file is read: every list an
 * expression names exists, every list is used, and `except` overrides are applied.
 */
export class ListCompiler {
  private readonly origins = new Map<string, SourcePosition>();
  private readonly overrides: Array<{ name: string; except: string[]; at: SourcePosition }> = [];

  constructor(private readonly state: CompileState) {}

  add(file: CompileFile): void {
    for (const [name, spec] of Object.entries(file.content.lists ?? {})) {
      const position = file.positionOf(['lists'], name);
      const earlier = this.origins.get(name);
      if (earlier) {
        file.fail(['lists'], `list "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`, name);
        continue;
      }
      this.origins.set(name, position);
      if (!file.schemaValid) {
        if (isRecord(spec) && Array.isArray(spec.except)) this.overrides.push({ name, except: spec.except.map(String), at: file.positionOf(['lists', name], 'except') });
        continue;
      }
      const kind = Array.isArray(spec) ? 'values' : (spec.kind ?? 'values');
      if (!Array.isArray(spec) && kind === 'networks') {
        spec.values?.forEach((entry, i) => {
          const problem = listEntryProblem(kind, entry);
          if (problem) file.fail(['lists', name, 'values', i], `list "${name}": "${entry}" ${problem}`);
        });
      }
      const external = file.listSources?.get(name);
      const origin = external ? `${external.label} (${position.file}:${position.line})` : `${position.file}:${position.line}`;
      // Inline lists are built here, at once: big lists belong in list files (built in chunks by loadRuleset).
      this.state.lists.set(
        name,
        external ? NamedList.fromEntries(name, kind, external.entries, origin, external.networks) : NamedList.of(name, kind, Array.isArray(spec) ? spec : (spec.values ?? []), origin),
      );
      if (!Array.isArray(spec) && spec.except?.length) this.overrides.push({ name, except: spec.except, at: file.positionOf(['lists', name], 'except') });
    }
  }

  /** @param partial some files could not be read: a list may live in one of them. */
  finish(partial: boolean): void {
    const { errors, warnings, lists } = this.state;
    for (const use of this.state.listUses) {
      if (!this.origins.has(use.name) && !partial) {
        const known = [...this.origins.keys()];
        const near = nearest(use.name, known);
        const hint = near ? `; did you mean "${near}"?` : known.length ? ` (known: ${known.join(', ')})` : ' (no lists are defined)';
        errors.push({ ...use.at, ...(use.rule ?? {}), message: `unknown list "${use.name}"${hint}` });
      }
    }

    const used = new Set([...this.state.listUses.map((use) => use.name), ...this.overrides.flatMap((o) => o.except)]);
    for (const [name, at] of this.origins) {
      if (!used.has(name)) warnings.push({ ...at, message: `list "${name}" is defined but no rule uses it (in_list) and no list names it in except` });
    }

    for (const { name, except, at } of this.overrides) {
      const allowLists: NamedList[] = [];
      for (const other of except) {
        const list = lists.get(other);
        if (!this.origins.has(other)) {
          if (partial) continue;
          const near = nearest(other, this.origins.keys());
          errors.push({ ...at, message: `list "${name}": except names unknown list "${other}"${near ? `; did you mean "${near}"?` : ''}` });
        } else if (other === name) errors.push({ ...at, message: `list "${name}" cannot be its own exception` });
        else if (list) allowLists.push(list);
      }
      const list = lists.get(name);
      if (list) lists.set(name, list.excluding(allowLists));
    }
  }
}
