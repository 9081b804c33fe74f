import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKey } from './secret-key.js';

/** A sealed value that no configured key opens (wrong key, tampered, or not ours). */
export class SecretUnreadableError extends Error {
  override readonly name = 'SecretUnreadableError';
}

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * AES-256-GCM with a fresh 96-bit nonce per value. The sealed text is
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); `aad` binds it to its name so a value
 * copied to another row does not open.
 */
export function seal(key: SecretKey, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Which key sealed a value (its id), or undefined when the text is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}

/** Opens a sealed value with whichever of `keys` sealed it; throws SecretUnreadableError otherwise. */
export function open(keys: readonly SecretKey[], sealed: string, aad: string): string {
  const [version, keyId, iv, tag, body, ...rest] = sealed.split('.');
  if (version !== VERSION || !keyId || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
    throw new SecretUnreadableError('not a sealed value');
  }
  const key = keys.find((candidate) => candidate.id === keyId);
  if (!key) throw new SecretUnreadableError(`sealed with key ${keyId}, which is neither OPENZERO_SECRET_KEY nor OPENZERO_SECRET_KEY_PREVIOUS`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnreadableError(`the value sealed with key ${keyId} fails its integrity check`);
  }
}
