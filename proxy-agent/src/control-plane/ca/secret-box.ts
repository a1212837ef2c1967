// The CA's private keys as they sit in a shared store (etcd): AES-256-GCM under a key every control
// plane is given (`--ca-encryption-key-file`), so a reader of etcd alone cannot sign.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const ENCRYPTION_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  alg: 'A256GCM';
  /** base64 of iv ‖ ciphertext ‖ tag. */
  data: string;
}

/** A key from a file holding 32 raw bytes, 64 hex characters or base64 of 32 bytes. */
export function parseEncryptionKey(content: Buffer, source: string): Buffer {
  if (content.length === ENCRYPTION_KEY_BYTES) return content;
  const text = content.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && b64.length === ENCRYPTION_KEY_BYTES) return b64;
  throw new Error(
    `${source} must hold a 256-bit key: 32 bytes, 64 hex characters or base64 (make one with: openssl rand -hex 32 > FILE)`,
  );
}

export function readEncryptionKeyFile(file: string): Buffer {
  const st = readFileSync(file);
  return parseEncryptionKey(st, file);
}

/** `aad` binds the sealed text to where it is kept, so it cannot be moved to another key. */
export function seal(key: Buffer, plain: string, aad: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { alg: 'A256GCM', data: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64') };
}

/** Throws a plain message when the key is not the one it was sealed with (or the text was changed). */
export function open(key: Buffer, sealed: Sealed, aad: string): string {
  const raw = Buffer.from(sealed.data, 'base64');
  if (sealed.alg !== 'A256GCM' || raw.length < IV_BYTES + TAG_BYTES) throw new Error('not a sealed CA key');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new Error(
      'the CA key in the store does not open with this --ca-encryption-key-file (another key?)',
    );
  }
}
