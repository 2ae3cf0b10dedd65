import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonObject, RequestType } from '../okta/types.js';
import { PACKAGE_ROOT } from '../paths.js';

/** The page's files live in <package>/preview, beside dist/ and src/, so `npm start` finds them too. */
export const PREVIEW_DIR = path.join(PACKAGE_ROOT, 'preview');

export interface StaticFile {
  type: string;
  body: string;
}

export interface Sample {
  id: string;
  label: string;
  requestType: RequestType;
  /** Where the request comes from, when it is not copied unchanged from Okta's documentation. */
  source?: string;
  request: JsonObject;
}

// A fixed list, not a directory listing: nothing else under preview/ can be asked for.
const STATIC_FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'widget.js': 'text/javascript; charset=utf-8',
  'tokens.js': 'text/javascript; charset=utf-8',
  'sse.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** Read once when the app is built: a missing file stops the start rather than a request. */
export function readStaticFiles(dir = PREVIEW_DIR): { index: string; files: Map<string, StaticFile> } {
  const files = new Map<string, StaticFile>();
  for (const [name, type] of Object.entries(STATIC_FILES)) {
    files.set(name, { type, body: readFileSync(path.join(dir, 'static', name), 'utf8') });
  }
  return { index: readFileSync(path.join(dir, 'static', 'index.html'), 'utf8'), files };
}

/** The sample requests, shipped in preview/samples (the reference fixtures are not shipped): Okta's published ones, or built from them. */
export function readSamples(dir = PREVIEW_DIR): Sample[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'samples', 'samples.json'), 'utf8')) as {
    samples: Array<Omit<Sample, 'request'> & { file: string }>;
  };
  return manifest.samples.map(({ file, ...sample }) => ({
    ...sample,
    request: JSON.parse(readFileSync(path.join(dir, 'samples', path.basename(file)), 'utf8')) as JsonObject,
  }));
}
