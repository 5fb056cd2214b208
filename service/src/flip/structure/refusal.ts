import { ServiceError } from '../../errors';

/** The structural checks' refusals, worded alike. */
export function broken(format: string, problem: string): ServiceError {
  return new ServiceError('invalid_image', `The ${format} is broken: ${problem}.`);
}

export function unsupported(feature: string): ServiceError {
  return new ServiceError('unsupported_image', `The service does not flip ${feature}.`);
}

export function tooManyPixels(what: string, maxPixels: number): ServiceError {
  return new ServiceError('too_many_pixels', `${what} is over the limit of ${maxPixels} pixels.`);
}
