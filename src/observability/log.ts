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
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pii) {
    options.redact = { paths: ['req.headers.authorization', '*.authorization', '*.headers.authorization'], censor: REDACTED };
  } else {
    // maskPii also replaces every `authorization` value, at any depth, so pino's redaction (a
    // second walk of every line, about a third of a decision line's cost) is left out here.
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
