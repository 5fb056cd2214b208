import { UnrecoverableError } from 'bullmq';
import { errorCatalogue, ServiceError, type ErrorCode } from '../errors';

// BullMQ keeps a failed job's reason as one string; a worker writes it as "<code>: <message>" so every api
// replica can answer with the catalogue's error. UnrecoverableError: a flip that failed fails again.

// BullMQ's own reason for a job whose worker died more often than maxStalledCount allows.
const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

export function jobFailure(code: ErrorCode, message?: string): UnrecoverableError {
  return new UnrecoverableError(`${code}: ${message ?? errorCatalogue[code].message}`);
}

export function errorOfFailure(reason: string | undefined): ServiceError {
  if (reason === STALLED_TOO_OFTEN) return new ServiceError('job_crashed');
  const match = /^(\w+): (.*)$/s.exec(reason ?? '');
  if (match !== null && match[1]! in errorCatalogue) return new ServiceError(match[1] as ErrorCode, match[2]);
  return new ServiceError('internal');
}
