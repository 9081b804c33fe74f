import { endianness } from 'node:os';

/**
 * Float32Array ↔ bytes, little endian: the format the database keeps vectors in (bytea), so a
 * row written on one machine reads the same on any other. On little-endian hosts (all we ship
 * to) both directions are a single memcpy.
 */
const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

export function serializeVector(vector: Float32Array): Buffer {
  const out = Buffer.alloc(vector.length * 4);
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
    return out;
  }
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i] ?? 0, i * 4);
  return out;
}

/** Throws RangeError when the byte length is not 4 × dimensions (or not a multiple of 4). */
export function deserializeVector(bytes: Uint8Array, dimensions?: number): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new RangeError(`vector bytes: length ${bytes.byteLength} is not a multiple of 4`);
  }
  const length = bytes.byteLength / 4;
  if (dimensions !== undefined && length !== dimensions) {
    throw new RangeError(`vector bytes: expected ${dimensions} dimensions, got ${length}`);
  }
  const out = new Float32Array(length);
  if (HOST_IS_LITTLE_ENDIAN) {
    // Copies through a byte view so an unaligned byteOffset (common for pg Buffers) is fine.
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
