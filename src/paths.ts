import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The package root: this file is src/paths.ts or dist/paths.js, one level below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function schemaPath(name: string): string {
  return path.join(PACKAGE_ROOT, 'schemas', name);
}

export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>;
}
