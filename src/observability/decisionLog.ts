import { capText } from './capText.js';
import { masksPii, type Logger } from './log.js';
import { maskEmail, maskIp, maskPii, maskText } from './maskPii.js';

/** The line logged for every hook answer: ids, outcome and timing; no profile values. */
export interface DecisionLine {
  event: 'decision';
  eventId: unknown;
  decisionId: string;
  requestType: string;
  decision: 'allow' | 'deny';
  decidedBy: { kind: string; ruleId?: string };
  matchedRules: readonly string[];
  updatedAttributes: readonly string[];
  /** The hook type that answered (registration, token). */
  hookType?: string;
  /** Token answers: each operation sent and each change left out, in words (claim names and paths, never values). */
  patches?: { sent: readonly string[]; dropped: readonly string[] };
  rulesetVersion: string;
  latencyMs: number;
  /** The login (or email) and the end user's IP address, as Okta sent them. */
  subject: { login?: string; ip?: string };
}

/**
 * Writes decision lines through `logger`, masked as every other line is (unless LOG_PII is on).
 * The decision line is the one written on every request and its fields are known, so it is
 * masked field by field, by a child logger's own formatter (pino's `formatters.log`), instead
 * of by the walk of every value that masks the other lines: the same text
 * (test/production/decisionLine.test.ts), for less work per request.
 */
export function decisionLog(logger: Logger): (line: DecisionLine) => void {
  if (masksPii(logger)) {
    const target = logger.child({}, { formatters: { log: (line) => maskDecisionLine(line as unknown as DecisionLine) } });
    return (line) => target.info(line, 'decision');
  }
  // LOG_PII on: shown as sent, but no longer than a real login.
  return (line) => logger.info({ ...line, subject: capSubject(line.subject) }, 'decision');
}

function capSubject(subject: DecisionLine['subject']): DecisionLine['subject'] {
  const capped: DecisionLine['subject'] = {};
  if (subject.login !== undefined) capped.login = capText(subject.login);
  if (subject.ip !== undefined) capped.ip = capText(subject.ip);
  return capped;
}

/** What maskPii makes of a decision line, key for key. */
export function maskDecisionLine(line: DecisionLine): Record<string, unknown> {
  const { decidedBy, subject } = line;
  const masked: { login?: string; ip?: string } = {};
  // Masked, then capped (a cut before masking could leave a local part without its domain).
  if (subject.login !== undefined) masked.login = subject.login.includes('@') ? capText(maskEmail(subject.login)) : '***'; // as an `email` key
  if (subject.ip !== undefined) masked.ip = capText(maskIp(subject.ip)); // as an `ip` key
  return {
    event: line.event,
    eventId: maskPii(line.eventId, 1),
    decisionId: maskText(line.decisionId),
    requestType: maskText(line.requestType),
    decision: line.decision,
    // Rule ids may hold dots ("block.10.0.0.1" is a valid id), so they are masked as text too.
    decidedBy: decidedBy.ruleId === undefined ? { kind: decidedBy.kind } : { kind: decidedBy.kind, ruleId: maskText(decidedBy.ruleId) },
    matchedRules: line.matchedRules.map(maskText),
    // Attribute names can come from the request (updateFrom: {var: submitted}).
    updatedAttributes: line.updatedAttributes.map(maskText),
    ...(line.hookType === undefined ? {} : { hookType: maskText(line.hookType) }),
    ...(line.patches === undefined ? {} : { patches: { sent: line.patches.sent.map(maskText), dropped: line.patches.dropped.map(maskText) } }),
    rulesetVersion: maskText(line.rulesetVersion),
    latencyMs: line.latencyMs,
    subject: masked,
  };
}
