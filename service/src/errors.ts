// The one catalogue of errors the service answers with; error-handler.ts renders them as JSON.
export const errorCatalogue = {
  invalid_image: { status: 400, message: 'The body is not a decodable image of the declared type.' },
  invalid_parameter: { status: 400, message: 'A query parameter has an invalid value.' },
  not_found: { status: 404, message: 'No such route.' },
  method_not_allowed: { status: 405, message: 'This route does not accept that method.' },
  payload_too_large: { status: 413, message: 'The body is larger than the service accepts.' },
  unsupported_media_type: {
    status: 415,
    message: 'Content-Type must be one of image/jpeg, image/png, image/bmp, image/gif, image/tiff.',
  },
  too_many_pixels: { status: 422, message: 'The image has more pixels than the service accepts.' },
  unsupported_image: { status: 422, message: 'The image uses a feature of its format that the service does not flip.' },
  image_too_complex: {
    status: 422,
    message: 'Decoding the image needs more time or memory than the service gives one image.',
  },
  internal: { status: 500, message: 'Internal server error.' },
  overloaded: { status: 503, message: 'Too many flips are waiting already; retry later.' },
  shutting_down: { status: 503, message: 'The server is shutting down.' },
  job_timeout: { status: 504, message: 'The flip did not finish in time.' },
  // Queue mode (FLIP_MODE=queue).
  not_ready: { status: 409, message: 'The job has not finished yet.' },
  job_crashed: {
    status: 500,
    message: 'The worker process running this job died twice; the job is not retried again.',
  },
  queue_mode_required: { status: 501, message: 'The /jobs API needs FLIP_MODE=queue; POST /flip works in every mode.' },
  queue_unavailable: { status: 503, message: 'The job queue (Redis) is unreachable or full; retry later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** What a refusal tells its client besides its code and message. */
export interface RefusalHints {
  /** About when trying again makes sense: the backlog's drain time, or a short pause for an outage. */
  retryAfterS?: number;
}

/**
 * An answer from the catalogue, thrown by any layer: its status comes from the catalogue, and http/ alone
 * turns it into a response (error-handler.ts), headers included.
 */
export class ServiceError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly hints: RefusalHints = {},
  ) {
    super(detail ?? errorCatalogue[code].message);
    this.name = 'ServiceError';
    this.status = errorCatalogue[code].status;
  }
}
