import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../rules/loadRuleset.js';
import { caseRequest } from '../suites/caseRequest.js';
import type { LoadedCase, RequestSpec } from '../suites/types.js';
import type { DiffRequest } from './answerChanges.js';

export type ReadRequests = { ok: true; requests: DiffRequest[] } | { ok: false; problems: string[] };

/**
 * `--requests`: a JSON Lines file (one request a line), a JSON file (one request), or a folder
 * of JSON files (each one request, e.g. payloads saved from Okta). A request is a full Okta
 * payload or a rule test's shorthand. Every problem is returned, each with its file and line.
 */
export async function readRequests(target: string): Promise<ReadRequests> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) return { ok: false, problems: [`${target}: ${info.code ?? info.message}`] };
  const problems: string[] = [];
  const requests: DiffRequest[] = [];
  const add = async (file: string, line: number, text: string, name: string) => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      problems.push(`${file}:${line}: not JSON: ${(error as Error).message}`);
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      problems.push(`${file}:${line}: a request is a JSON object`);
      return;
    }
    const built = await caseRequest(body as RequestSpec, file);
    if (!built.ok) {
      problems.push(`${file}:${line}: ${built.problem}`);
      return;
    }
    requests.push({ name, case: { ...given(file, line, name, built.request), ...(built.hook === 'token' ? { hook: 'token' as const } : {}) } });
  };
  if (info.isDirectory()) {
    for (const file of (await listFiles(target)).filter((f) => /\.json$/i.test(f))) {
      await add(file, 1, await readFile(file, 'utf8'), path.relative(target, file));
    }
    if (requests.length === 0 && problems.length === 0) problems.push(`${target}: no .json files`);
  } else if (/\.json$/i.test(target)) {
    await add(target, 1, await readFile(target, 'utf8'), path.basename(target));
  } else {
    const lines = (await readFile(target, 'utf8')).split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() !== '') await add(target, index + 1, line, `${path.basename(target)}:${index + 1}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, requests };
}

/** A request as a case runSuites can decide: no facts or counters given, so facts read as null and counters as a first request would. */
function given(file: string, line: number, name: string, request: LoadedCase['request']): LoadedCase {
  // runSuites checks an expectation; diff reads only the decision, so any expectation does.
  return { suite: file, name, at: { file, line, column: 1 }, skip: false, request, expect: { decision: 'allow' } };
}
