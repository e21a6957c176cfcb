import { UpsAgentError } from '../../../core/errors';
import type { ReportKind } from '../types';

/**
 * Report data that does not fit the descriptor: too short for a field, a
 * field of another report, a report ID byte that does not match. Device
 * input must never be decoded into garbage, so the codec says so instead.
 */
export class HidReportError extends UpsAgentError {
  constructor(message: string, code = 'HID-REPORT') {
    super(code, message);
  }
}

/** Why a device's reply was refused (see ReportBuffer). */
export type HidReplyProblem =
  /** The first byte is not the report ID that was asked for (IDs in use). */
  | 'wrong-id'
  /** No bytes at all (NUT treats a 0-byte GET_REPORT as a failed read too). */
  | 'empty'
  /** A report ID the descriptor does not declare (an interrupt report NUT ignores). */
  | 'unknown-id';

/**
 * A reply the report buffer refused: nothing of it was decoded or kept. The
 * driver treats it as a failed read of that report (it logs it and goes on
 * with the next report, as NUT does with a report it cannot retrieve).
 */
export class HidReplyError extends HidReportError {
  constructor(
    readonly problem: HidReplyProblem,
    readonly kind: ReportKind,
    /** The report asked for (feature) or announced by the first byte (input). */
    readonly reportId: number,
    /** Bytes received. */
    readonly got: number,
    message: string,
  ) {
    super(message, 'HID-REPLY');
  }
}
