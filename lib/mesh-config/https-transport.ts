// A MeshConfigClient transport that verifies the control plane's HTTPS against given roots (its CA),
// over node:https: fetch cannot take a CA without a separate dispatcher. Server side only.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpTransport } from './client';

/** Requests over node:http(s); https servers must chain to `ca` (PEM). */
export function caTransport(ca: string): HttpTransport {
  return ({ method, url, headers, body, timeoutMs }) =>
    new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method,
          headers: {
            ...headers,
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          },
          ca,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}
