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
  const target = masksPii(logger) ? logger.child({}, { formatters: { log: (line) => maskDecisionLine(line as unknown as DecisionLine) } }) : logger;
  return (line) => target.info(line, 'decision');
}

/** What maskPii makes of a decision line, key for key. */
export function maskDecisionLine(line: DecisionLine): Record<string, unknown> {
  const { decidedBy, subject } = line;
  const masked: { login?: string; ip?: string } = {};
  if (subject.login !== undefined) masked.login = subject.login.includes('@') ? maskEmail(subject.login) : '***'; // as an `email` key
  if (subject.ip !== undefined) masked.ip = maskIp(subject.ip); // as an `ip` key
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
    rulesetVersion: maskText(line.rulesetVersion),
    latencyMs: line.latencyMs,
    subject: masked,
  };
}
