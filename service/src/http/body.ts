import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../errors';

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError('payload_too_large', `The body is larger than ${maxBytes} bytes.`);
}

/** True when the request announces no body at all: the flip route's demo mode. */
export function hasNoBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0;
}

/**
 * Reads the request body into one Uint8Array of its own (safe to transfer to a thread), refusing it as soon as
 * the declared or streamed size passes maxBytes rather than after buffering everything. A body of declared
 * length is copied into place chunk by chunk, so it is never held twice.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  // Node's parser ends a Content-Length body at exactly that many bytes.
  const body = req.headers['transfer-encoding'] === undefined && declared > 0 ? new Uint8Array(declared) : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (finish: () => void) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      finish();
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > maxBytes) {
        req.pause();
        settle(() => reject(tooLarge(maxBytes)));
        return;
      }
      if (body) body.set(chunk, received);
      else chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => settle(() => resolve(body ?? concat(chunks, received)));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('the client closed the request before its body ended')));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function concat(chunks: Buffer[], length: number): Uint8Array {
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
