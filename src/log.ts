import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { isDecisionLine, maskDecisionLine, maskPii, maskText, REDACTED } from './maskPii.js';

export type { Logger };

export interface LogSettings {
  level?: string;
  /** pretty needs the pino-pretty package (a development dependency); without it, json. */
  format?: 'json' | 'pretty';
  /** true shows emails, names and IP addresses as they are; false (the default) masks them. */
  pii?: boolean;
}

/**
 * Structured JSON logs on stdout. Unless `pii` is on, every line passes through maskPii, so
 * personal data is masked whoever logs it (the decision log in routes/hook.ts, errors, notes).
 * Accepts a level alone for the callers that only have one.
 */
export function createLogger(settings: string | LogSettings = {}, destination?: NodeJS.WritableStream): Logger {
  const { level = 'info', format = 'json', pii = false } = typeof settings === 'string' ? { level: settings } : settings;
  const options: LoggerOptions = {
    level,
    base: { service: 'okta-hook-rules', pid: process.pid },
    timestamp: isoTime, // pino.stdTimeFunctions.isoTime's text, cheaper (isoTime.ts)
  };
  if (pii) {
    options.redact = { paths: ['req.headers.authorization', '*.authorization', '*.headers.authorization'], censor: REDACTED };
  } else {
    // maskPii also replaces every `authorization` value, at any depth, so pino's redaction (a
    // second walk of every line, about a third of a decision line's cost) is left out here.
    options.formatters = {
      log: (object) => (isDecisionLine(object) ? maskDecisionLine(object) : (maskPii(object) as Record<string, unknown>)),
      bindings: (bindings) => maskPii(bindings) as Record<string, unknown>,
    };
    // The message text too (formatters.log only sees the object).
    options.hooks = {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = maskText(args[i] as string);
        method.apply(this, args);
      },
    };
  }
  let logger: Logger;
  let fallback = false;
  if (destination) logger = pino(options, destination);
  else if (format === 'pretty' && hasPinoPretty()) {
    logger = pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'service' } } });
  } else {
    logger = pino(options, process.stdout);
    fallback = format === 'pretty';
  }
  if (!pii) maskChildBindings(logger);
  if (fallback) logger.warn('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency); logging JSON');
  return logger;
}

/** pino applies formatters.bindings to the base only; a child's bindings are masked here (children inherit this). */
function maskChildBindings(logger: Logger): void {
  const child = (Object.getPrototypeOf(logger) as Logger).child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, maskPii(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
}

function hasPinoPretty(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * pino's `isoTime` timestamp (`,"time":"2026-11-26T05:37:45.949Z"`), with the text up to the
 * second built once per second: Date#toISOString cost more than a microsecond on every log
 * line. The same text as `new Date(ms).toISOString()` (test/production/isoTime.test.ts).
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function isoTimeAt(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years outside 0000–9999 are written ±YYYYYY: not worth a cache.
    if (iso.length !== 24) return new Date(ms).toISOString();
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20); // "YYYY-MM-DDTHH:MM:SS."
  }
  const millis = ms - second * 1000;
  return cachedPrefix + (millis < 10 ? '00' : millis < 100 ? '0' : '') + millis + 'Z';
}

/** For pino's `timestamp` option. */
export const isoTime = (): string => `,"time":"${isoTimeAt(Date.now())}"`;
