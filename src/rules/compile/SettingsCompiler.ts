import type { SourcePosition } from '../../language/position.js';
import { DEFAULT_SETTINGS, type RulesetSettings } from '../types.js';
import type { CompileFile } from './CompileFile.js';

/** The `settings` sections: each setting set in one file at most. */
export class SettingsCompiler {
  readonly settings: RulesetSettings = { ...DEFAULT_SETTINGS };
  private readonly origins = new Map<keyof RulesetSettings, SourcePosition>();

  add(file: CompileFile): void {
    for (const [name, value] of Object.entries(file.schemaValid ? (file.content.settings ?? {}) : {})) {
      const key = name as keyof RulesetSettings;
      const earlier = this.origins.get(key);
      if (earlier) {
        file.fail(['settings'], `settings.${key} is already set at ${earlier.file}:${earlier.line}:${earlier.column}`, key);
        continue;
      }
      this.origins.set(key, file.positionOf(['settings'], key));
      this.settings[key] = value as never;
    }
  }
}
