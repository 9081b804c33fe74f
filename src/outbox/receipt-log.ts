import fs from 'node:fs';
import path from 'node:path';

/** A Bot API call that Telegram confirmed, as the journal replays it. */
export interface Receipt {
  scope: string;
  seq: number;
  method: string;
  chatId: number | null;
  payload: unknown;
  result: unknown;
}

type Line = { a: [string, number, string] } | { r: Receipt } | { s: string };

const ROTATE_BYTES = 4 * 1024 * 1024;

/**
 * The delivery receipts of unfinished work, in an append-only file written with
 * a synchronous write() the moment Telegram confirms a call, before anything
 * else is awaited. A kill -9 after that point cannot make the daemon forget that
 * a reply went out, and the window in which it can (Telegram answered, the line
 * is not written yet) shrinks from a database round trip under load to the
 * time it takes this process to read the answer. That last window (Telegram acted,
 * we have not read its answer) cannot be closed from our side: Telegram has no
 * idempotency key, and probing for the message would mean editing messages that
 * might be someone else's. An attempt line written before each call marks exactly
 * which calls fell into it; a restart performs those again and logs each one.
 *
 * Receipts move into the database (outbox table) in the same statement that marks
 * their update finished; then they are dropped here (`settle`). The file is
 * rewritten with only the unsettled entries at start and whenever it grows large.
 */
export class ReceiptLog {
  readonly #file: string;
  #fd: number | undefined;
  #size = 0;
  readonly #receipts = new Map<string, Map<number, Receipt>>();
  readonly #attempts = new Map<string, Set<number>>();

  constructor(file: string) {
    this.#file = file;
  }

  /** Loads what a previous run left, compacts the file, and opens it for appending. */
  open(): { receipts: number; attemptsWithoutReceipt: number } {
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    if (fs.existsSync(this.#file)) {
      for (const raw of fs.readFileSync(this.#file, 'utf8').split('\n')) {
        if (raw.trim() === '') continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          continue; // a torn last line from a crash mid-write: that write never completed
        }
        if ('a' in line) this.#noteAttempt(line.a[0], line.a[1]);
        else if ('r' in line) this.#noteReceipt(line.r);
        else if ('s' in line) this.#forget(line.s);
      }
    }
    let receipts = 0;
    let attemptsWithoutReceipt = 0;
    for (const map of this.#receipts.values()) receipts += map.size;
    for (const [scope, seqs] of this.#attempts) for (const seq of seqs) if (!this.#receipts.get(scope)?.has(seq)) attemptsWithoutReceipt += 1;
    this.#rewrite();
    return { receipts, attemptsWithoutReceipt };
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  lookup(scope: string, seq: number): Receipt | undefined {
    return this.#receipts.get(scope)?.get(seq);
  }

  /** True when a previous run started this call and never got (or wrote) Telegram's answer. */
  wasAttempted(scope: string, seq: number): boolean {
    return this.#attempts.get(scope)?.has(seq) === true && !this.#receipts.get(scope)?.has(seq);
  }

  attempt(scope: string, seq: number, method: string): void {
    this.#noteAttempt(scope, seq);
    this.#append({ a: [scope, seq, method] });
  }

  record(receipt: Receipt): void {
    this.#noteReceipt(receipt);
    this.#append({ r: receipt });
  }

  /** Receipts of this work, in order: what goes into the outbox table when it finishes. */
  receiptsOf(scope: string): Receipt[] {
    return [...(this.#receipts.get(scope)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  /**
   * The work is recorded in the database: forget it here. When nothing is left unsettled the
   * file is emptied, so it never keeps copies of finished replies (which /forget could not reach).
   */
  settle(scope: string): void {
    if (!this.#receipts.has(scope) && !this.#attempts.has(scope)) return;
    this.#forget(scope);
    if (this.#attempts.size === 0 || this.#size > ROTATE_BYTES) {
      this.#rewrite();
      return;
    }
    this.#append({ s: scope });
  }

  /** Calls made for unfinished work (sent, or started with an unknown outcome). */
  get pendingCount(): number {
    let n = 0;
    for (const seqs of this.#attempts.values()) n += seqs.size;
    return n;
  }

  #noteAttempt(scope: string, seq: number): void {
    let seqs = this.#attempts.get(scope);
    if (!seqs) this.#attempts.set(scope, (seqs = new Set()));
    seqs.add(seq);
  }

  #noteReceipt(receipt: Receipt): void {
    let map = this.#receipts.get(receipt.scope);
    if (!map) this.#receipts.set(receipt.scope, (map = new Map()));
    map.set(receipt.seq, receipt);
    this.#noteAttempt(receipt.scope, receipt.seq);
  }

  #forget(scope: string): void {
    this.#receipts.delete(scope);
    this.#attempts.delete(scope);
  }

  #append(line: Line): void {
    if (this.#fd === undefined) throw new Error('receipt log is not open');
    const text = `${JSON.stringify(line)}\n`;
    fs.writeSync(this.#fd, text);
    this.#size += Buffer.byteLength(text);
  }

  /** Writes the unsettled entries to a new file and swaps it in atomically. */
  #rewrite(): void {
    this.close();
    const lines: string[] = [];
    for (const [scope, seqs] of this.#attempts) {
      for (const seq of seqs) {
        const receipt = this.#receipts.get(scope)?.get(seq);
        lines.push(JSON.stringify(receipt ? { r: receipt } : { a: [scope, seq, ''] }));
      }
    }
    const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
    const tmp = `${this.#file}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, this.#file);
    this.#fd = fs.openSync(this.#file, 'a');
    this.#size = Buffer.byteLength(text);
  }
}
