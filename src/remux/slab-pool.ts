/** Options of SlabPool; every field has a default. */
export interface SlabPoolOptions {
  /** Most bytes of free blocks kept for reuse; blocks given back past it are left to the GC. Default 64 MiB. */
  maxFreeBytes?: number;
  /**
   * Every this many ms the free blocks that stayed unused the whole period (the lowest free level
   * seen) are released to the GC, so the pool keeps what the load's swings need, not its peak.
   * 0 = never. Default 5000.
   */
  trimPeriodMs?: number;
  /** The clock (ms), for tests. Default Date.now. */
  nowMs?: () => number;
}

/** Smallest and largest pooled block; block sizes are the powers of two in between. */
export const MIN_SLAB_BLOCK = 4 * 1024;
export const MAX_SLAB_BLOCK = 1024 * 1024;

/**
 * Free lists of fixed-size byte blocks (powers of two from 4 KiB to 1 MiB), shared by the GOP caches
 * of a server. A stream that drops a GOP gives its blocks back and any stream that needs one takes it,
 * so a server holding thousands of cached streams allocates (and the GC tracks) almost nothing in
 * steady state, and the blocks in use follow what the caches hold rather than each stream's peak.
 *
 * Only blocks whose bytes nobody else can see may be given back: the caller guarantees that no view
 * into a given block is still in use (GopCache gives back only GOPs that no snapshot has exposed).
 */
export class SlabPool {
  private readonly maxFreeBytes: number;
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  private readonly trimPeriodMs: number;
  private readonly now: () => number;
  /** Start of the trim period and the lowest free level seen in it. */
  private periodStart: number;
  private lowWater = 0;
  /** Blocks allocated (pool misses), taken from a free list (hits) and released by trims. */
  allocated = 0;
  reused = 0;
  trimmed = 0;

  constructor(opts: SlabPoolOptions = {}) {
    this.maxFreeBytes = opts.maxFreeBytes ?? 64 * 1024 * 1024;
    this.trimPeriodMs = opts.trimPeriodMs ?? 5000;
    this.now = opts.nowMs ?? Date.now;
    this.periodStart = this.now();
  }

  /** Bytes held in free lists. */
  get pooledBytes(): number {
    return this.freeBytes;
  }

  /** The pooled block size for an allocation wish: the next power of two, clamped to the pool's range. */
  static blockSize(wish: number): number {
    if (wish <= MIN_SLAB_BLOCK) return MIN_SLAB_BLOCK;
    if (wish >= MAX_SLAB_BLOCK) return MAX_SLAB_BLOCK;
    return 2 ** Math.ceil(Math.log2(wish));
  }

  /** A block of exactly `size` bytes (a pooled size from blockSize), uninitialised. */
  take(size: number): Buffer {
    this.maybeTrim();
    const list = this.free.get(size);
    const b = list?.pop();
    if (b !== undefined) {
      this.freeBytes -= size;
      if (this.freeBytes < this.lowWater) this.lowWater = this.freeBytes;
      this.reused++;
      return b;
    }
    this.allocated++;
    return Buffer.allocUnsafeSlow(size);
  }

  /** Gives a block back (no view into it may be used afterwards). Blocks of other sizes are ignored. */
  give(b: Buffer): void {
    const size = b.length;
    if (size !== SlabPool.blockSize(size) || b.byteOffset !== 0 || b.buffer.byteLength !== size) return;
    this.maybeTrim();
    if (this.freeBytes + size > this.maxFreeBytes) return;
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(b);
    this.freeBytes += size;
  }

  /** Drops every free block. */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
    this.lowWater = 0;
  }

  /** At the end of a trim period, releases as many free bytes as were never needed in it. */
  private maybeTrim(): void {
    if (this.trimPeriodMs <= 0) return;
    const now = this.now();
    if (now - this.periodStart < this.trimPeriodMs) return;
    let surplus = this.lowWater;
    // Largest blocks first: fewest objects to release.
    const sizes = [...this.free.keys()].sort((a, b) => b - a);
    for (const size of sizes) {
      const list = this.free.get(size) as Buffer[];
      while (surplus >= size && list.length > 0) {
        list.pop();
        surplus -= size;
        this.freeBytes -= size;
        this.trimmed++;
      }
    }
    this.periodStart = now;
    this.lowWater = this.freeBytes;
  }
}
