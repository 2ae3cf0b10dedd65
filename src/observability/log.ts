import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskPii, maskText, REDACTED } from './maskPii.js';

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
export function createLogger(settings: string | LogSettings = {}, destination?: NodeJS.WritableStream | DestinationStream): Logger {
  const { level = 'info', format = 'json', pii = false } = typeof settings === 'string' ? { level: settings } : settings;
  const options: LoggerOptions = {
    level,
    base: { service: 'okta-hook-rules', pid: process.pid },
    timestamp: isoTime,
  };
  if (pii) {
    options.redact = { paths: ['req.headers.authorization', '*.authorization', '*.headers.authorization'], censor: REDACTED };
  } else {
    // maskPii also replaces every `authorization` value, at any depth, so pino's redaction (a
    // second walk of every line) is left out here.
    options.formatters = {
      log: (object) => maskPii(object) as Record<string, unknown>,
      bindings: (bindings) => maskPii(bindings) as Record<string, unknown>,
    };
    // The message text too (formatters.log only sees the object).
    options.hooks = {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = maskText(args[i] as string);
        method.apply(this, args);
      },
    };
    // Children inherit formatters.log and the hook; pino tells each child's creation here.
    options.onChild = (child) => void masking.add(child);
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
  if (!pii) masking.add(logger);
  if (fallback) logger.warn('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency); logging JSON');
  return logger;
}

/** The loggers createLogger made that mask personal data, and their children. */
const masking = new WeakSet<object>();

/** Whether `logger` masks personal data (createLogger without `pii`, or a child of one). */
export function masksPii(logger: Logger): boolean {
  return masking.has(logger);
}

/**
 * A child logger with `bindings` on every line. pino applies formatters.bindings to the root's
 * bindings only, so a child of a masking logger is given the masking formatter for its own:
 * make children here, not with `logger.child`, when their bindings may hold personal data.
 */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  if (!masksPii(logger)) return logger.child(bindings);
  return logger.child(bindings, { formatters: { bindings: (values) => maskPii(values) as Record<string, unknown> } });
}

let isoTimeMs = Number.NaN;
let isoTimeText = '';

/**
 * pino's `isoTime` (its `timestamp` option), built at most once per millisecond: under load
 * several lines share a millisecond, and Date#toISOString costs more than the rest of a
 * short line.
 */
export function isoTime(): string {
  const now = Date.now();
  if (now !== isoTimeMs) {
    isoTimeMs = now;
    isoTimeText = `,"time":"${new Date(now).toISOString()}"`;
  }
  return isoTimeText;
}

function hasPinoPretty(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
