/**
 * A set of (user index, group index) pairs in one typed array: 8 bytes a slot, about 16 MB for a
 * million pairs, where a Set of numbers costs several times that in boxed numbers and entries.
 * Open addressing with linear probing; indexes must be below 2^32 - 1 (the empty marker).
 */
const EMPTY = 0xffffffff;

export class PairSet {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity <<= 1;
    this.slots = new Uint32Array(capacity * 2).fill(EMPTY);
    this.mask = capacity - 1;
  }

  /** Adds the pair; false when it was already there. */
  add(a: number, b: number): boolean {
    let i = this.slotOf(a, b);
    for (;;) {
      const at = i * 2;
      const x = this.slots[at]!;
      if (x === EMPTY) break;
      if (x === a && this.slots[at + 1] === b) return false;
      i = (i + 1) & this.mask;
    }
    this.slots[i * 2] = a;
    this.slots[i * 2 + 1] = b;
    // Keep the load at most one half so probes stay short.
    if (++this.size * 2 > this.mask + 1) this.grow();
    return true;
  }

  private slotOf(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2).fill(EMPTY);
    this.mask = old.length - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at] !== EMPTY) this.add(old[at]!, old[at + 1]!);
    }
  }
}
