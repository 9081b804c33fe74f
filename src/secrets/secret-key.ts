import { createHash } from 'node:crypto';

/** A 32-byte AES-256 key and a short id naming it (so a sealed value says which key sealed it). */
export interface SecretKey {
  bytes: Buffer;
  /** First 8 hex characters of SHA-256(key): identifies the key, reveals nothing useful. */
  id: string;
}

export type SecretKeyParse = { ok: true; key: SecretKey } | { ok: false; error: string };

export const SECRET_KEY_HELP = 'expected 32 random bytes as 64 hex characters or as base64 (generate one with: openssl rand -hex 32)';

/**
 * Reads `OPENZERO_SECRET_KEY`-style text: 64 hex characters, or base64 (standard or URL-safe)
 * of exactly 32 bytes. Anything else is refused with a message that says what is expected.
 */
export function parseSecretKey(text: string): SecretKeyParse {
  const trimmed = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (decoded.length === 32) bytes = decoded;
    else return { ok: false, error: `${SECRET_KEY_HELP}; got ${decoded.length} bytes` };
  }
  if (!bytes) return { ok: false, error: SECRET_KEY_HELP };
  return { ok: true, key: { bytes, id: createHash('sha256').update(bytes).digest('hex').slice(0, 8) } };
}
