import { UpsAgentError } from '../../../core/errors';

/**
 * Report data that does not fit the descriptor: too short for a field, a
 * field of another report, a report ID byte that does not match. Device
 * input must never be decoded into garbage, so the codec says so instead.
 */
export class HidReportError extends UpsAgentError {
  constructor(message: string) {
    super('HID-REPORT', message);
  }
}
