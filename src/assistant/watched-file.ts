import { promises as fs } from 'node:fs';

/**
 * A text file read again whenever its modification time (or size) changes, so the owner can
 * edit it while the daemon runs. A missing file reads as undefined; it is picked up once it appears.
 */
export class WatchedFile {
  readonly path: string;
  #stamp = '';
  #text: string | undefined;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<string | undefined> {
    let stamp: string;
    try {
      const stat = await fs.stat(this.path);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      this.#stamp = '';
      this.#text = undefined;
      return undefined;
    }
    if (stamp !== this.#stamp) {
      try {
        this.#text = await fs.readFile(this.path, 'utf8');
        this.#stamp = stamp;
      } catch {
        this.#text = undefined;
        this.#stamp = '';
      }
    }
    return this.#text;
  }
}
