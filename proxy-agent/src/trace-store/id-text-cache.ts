// Ids recently read, by their bytes → their text. An export holds each trace's spans in runs and in groups
// (by resource), and a span's id comes again as its children's parent id: an id's text is made (and held)
// once, and the store's map of traces finds the same string again (its hash already computed). Bounded: a
// fixed number of slots, overwritten.

export class IdTextCache {
  private readonly words: Int32Array;
  private readonly texts: string[];
  private readonly wordsPerId: number;
  private readonly mask: number;

  /** For ids of `bytes` bytes (a multiple of 4: 8 or 16 raw, 16 or 32 as hex text), in `slots` (a power of 2). */
  constructor(bytes: number, slots: number) {
    this.wordsPerId = bytes >> 2;
    this.mask = slots - 1;
    this.words = new Int32Array(slots * this.wordsPerId);
    this.texts = new Array<string>(slots).fill('');
  }

  private slot(view: DataView, at: number): number {
    const mixed =
      Math.imul(view.getInt32(at, true), 0x9e3779b1) ^ view.getInt32(at + 4 * (this.wordsPerId - 1), true);
    return (mixed ^ (mixed >>> 15)) & this.mask;
  }

  /** The text remembered for the id whose bytes start at `at`, or undefined. */
  find(view: DataView, at: number): string | undefined {
    const n = this.wordsPerId;
    const s = this.slot(view, at);
    const text = this.texts[s] as string;
    if (text === '') return undefined;
    const words = this.words;
    const base = s * n;
    for (let i = 0; i < n; i++) if (view.getInt32(at + 4 * i, true) !== words[base + i]) return undefined;
    return text;
  }

  remember(view: DataView, at: number, text: string): void {
    const n = this.wordsPerId;
    const s = this.slot(view, at);
    const base = s * n;
    for (let i = 0; i < n; i++) this.words[base + i] = view.getInt32(at + 4 * i, true);
    this.texts[s] = text;
  }
}
