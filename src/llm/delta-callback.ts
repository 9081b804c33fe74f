/** Carries an error thrown by the caller's onDelta past the adapter's error mapping, unchanged. */
export class DeltaCallbackError extends Error {
  override readonly name = 'DeltaCallbackError';
  constructor(override readonly cause: unknown) {
    super('onDelta threw', { cause });
  }
}

export function emitDelta(onDelta: ((text: string) => void) | undefined, text: string): void {
  if (!onDelta) return;
  try {
    onDelta(text);
  } catch (error) {
    throw new DeltaCallbackError(error);
  }
}
