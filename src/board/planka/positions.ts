/** Planka's own clients space positions 65536 apart; appending keeps that gap. */
export const POSITION_GAP = 65536;

/** Position that appends after every item (nulls, as in archive/trash, are ignored). */
export function appendPosition(items: ReadonlyArray<{ position: number | null }>): number {
  let max = 0;
  for (const item of items) {
    if (item.position !== null && item.position > max) max = item.position;
  }
  return max + POSITION_GAP;
}
