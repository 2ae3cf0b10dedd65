import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { isDecisionLine, maskDecisionLine, maskPii, maskText, REDACTED, type DecisionLine } from './maskPii.js';

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
  (logger as unknown as Record<symbol, unknown>)[DECISION_WRITER] = { pii } satisfies DecisionWriter;
  if (fallback) logger.warn('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency); logging JSON');
  return logger;
}

/** Set by createLogger on its loggers (children inherit it): logDecision may write their lines itself. */
const DECISION_WRITER = Symbol('writes decision lines');
interface DecisionWriter {
  pii: boolean;
}

/** pino's own parts of a logger, through its public `pino.symbols`. */
interface PinoParts {
  [key: symbol]: unknown;
}

/**
 * Writes the decision line, one per hook request, exactly as `logger.info(line, 'decision')`
 * would (same keys, order, masking and destination: test/production/decisionLine.test.ts
 * compares the two), but serialised with one JSON.stringify. pino serialises a line key by
 * key, scanning every string in JavaScript and stringifying each nested value on its own:
 * about half of the line's cost on every request. pino still provides the level prefix, the
 * time, the bindings (service, pid, a child's own) and the destination. A logger not made by
 * createLogger, or one whose destination wants pino's metadata (a multistream), goes through
 * pino as before.
 */
export function logDecision(logger: Logger, line: DecisionLine): void {
  if (!logger.isLevelEnabled('info')) return;
  const parts = logger as unknown as PinoParts;
  const writer = parts[DECISION_WRITER] as DecisionWriter | undefined;
  const stream = parts[pino.symbols.streamSym] as { write(line: string): unknown; [key: symbol]: unknown };
  if (writer === undefined || stream[pino.symbols.needsMetadataGsym] === true) {
    logger.info(line, 'decision');
    return;
  }
  // JSON.stringify leaves out the brand (a symbol key) and undefined values, as pino does.
  const fields = JSON.stringify(writer.pii ? line : maskDecisionLine(line));
  const levelPrefix = (parts[pino.symbols.lsCacheSym] as Record<number, string>)[30]!; // {"level":30
  const time = (parts[pino.symbols.timeSym] as () => string)();
  const bindings = parts[pino.symbols.chindingsSym] as string;
  stream.write(`${levelPrefix}${time}${bindings},${fields.slice(1, -1)},"msg":"decision"${parts[pino.symbols.endSym] as string}`);
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
