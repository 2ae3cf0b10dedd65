import type { IncomingMessage } from 'node:http';

/**
 * Every value of one header, as sent (`name` in lower case), or undefined when it is absent:
 * what `req.headersDistinct[name]` gives, read from `rawHeaders` without building
 * `headersDistinct` for every header of the request.
 */
export function headerValues(req: IncomingMessage, name: string): string[] | undefined {
  const raw = req.rawHeaders;
  let values: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) (values ??= []).push(raw[i + 1]!);
  }
  return values;
}
