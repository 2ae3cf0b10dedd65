import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; PII never goes in (see the decision log in routes/hook.ts). */
export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'okta-hook-rules' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}
