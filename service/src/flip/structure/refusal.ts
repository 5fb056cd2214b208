import { HttpError } from '../../errors';

/** The structural checks' refusals, worded alike. */
export function broken(format: string, problem: string): HttpError {
  return new HttpError('invalid_image', `The ${format} is broken: ${problem}.`);
}

export function unsupported(feature: string): HttpError {
  return new HttpError('unsupported_image', `The service does not flip ${feature}.`);
}

export function tooManyPixels(what: string, maxPixels: number): HttpError {
  return new HttpError('too_many_pixels', `${what} is over the limit of ${maxPixels} pixels.`);
}
