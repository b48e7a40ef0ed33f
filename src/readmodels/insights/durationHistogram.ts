// Push durations in log-spaced buckets (each 1 % wide), mergeable and subtractable: what the rollups keep and percentiles read;
// dense for summing many cells into one, sparse for one cell as its writer changes it.

/** Each bucket spans (GAMMA^(i-1), GAMMA^i]: any value answered for a bucket is within 1 % of every value in it. */
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
/** The percentiles' stated bound, relative to the value measured. */
export const PERCENTILE_RELATIVE_ERROR = GAMMA - 1;

/** Beyond any safe integer: an int16 holds every bucket. */
const MAX_MAGNITUDE = 30_000;

/** Integers of either sign as unsigned ones (0, -1, 1, -2, ...), for varints; arithmetic, not bitwise: sums exceed 32 bits. */
const zigzag = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** Appends an unsigned integer as a varint (7 bits a byte, least significant first); the next free index. */
function putVarint(bytes: Uint8Array, at: number, value: number): number {
  let rest = value;
  while (rest >= 128) {
    bytes[at++] = (rest % 128) + 128;
    rest = Math.floor(rest / 128);
  }
  bytes[at++] = rest;
  return at;
}

/** Where the varint varintAt last read ends: a module variable rather than a returned pair, so decoding allocates nothing. */
let varintEnd = 0;

/** The unsigned varint at `at` (see putVarint); sets varintEnd. */
function varintAt(bytes: Uint8Array, at: number): number {
  let byte = bytes[at++]!;
  let value = byte & 127;
  for (let scale = 128; byte >= 128; scale *= 128) {
    byte = bytes[at++]!;
    value += (byte & 127) * scale;
  }
  varintEnd = at;
  return value;
}

/**
 * The bucket of a duration: 0 and up for 1 ms and more, -1 for 0, and the mirror image below for negative ones (CSS may
 * send any integer), so buckets sort as their values do. Any safe integer fits an int16.
 */
export function bucketOf(ms: number): number {
  if (ms === 0) return -1;
  const magnitude = Math.min(MAX_MAGNITUDE, Math.max(0, Math.ceil(Math.log(Math.abs(ms)) / LOG_GAMMA - 1e-9)));
  return ms > 0 ? magnitude : -2 - magnitude;
}

/** The p-th percentile by nearest rank of `total` values counted and summed by bucket, in the buckets' order (see percentile). */
function percentileOf(counts: ArrayLike<number>, sums: ArrayLike<number>, total: number, p: number): number | null {
  if (total <= 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    // The values are integers: the rounded mean of a bucket stays between its least and greatest value.
    if (seen >= rank) return Math.round(sums[i]! / counts[i]!);
  }
  return null;
}

/**
 * Counts and sums by bucket, dense over the buckets seen. A bucket's answer is the mean of its values: within the bucket,
 * so within 1 % of the value ranked, and that value itself when the bucket holds one distinct value.
 */
export class DurationHistogram {
  private low = 0;
  private counts = new Float64Array(0);
  private sums = new Float64Array(0);
  /** Values counted (a negative weight takes one back). */
  total = 0;

  /** Adds `weight` values of `ms` (-1 takes one back). */
  add(ms: number, weight = 1): void {
    this.addToBucket(bucketOf(ms), weight, ms * weight);
  }

  addToBucket(bucket: number, count: number, sum: number): void {
    const i = this.slot(bucket);
    this.counts[i]! += count;
    this.sums[i]! += sum;
    this.total += count;
  }

  /** Adds a stored histogram (see CellHistogram.encode), `weight` times (-1 takes it back). */
  addEncoded(stored: Uint8Array, weight = 1): void {
    const end = stored.byteLength;
    if (end === 0) return;
    let bucket = unzigzag(varintAt(stored, 0));
    const last = unzigzag(varintAt(stored, varintEnd));
    let at = varintEnd;
    // Room for all of its buckets at once; then each is an index into the arrays (a statistic over months decodes
    // hundreds of thousands of buckets: this loop is most of its time).
    this.slot(bucket);
    this.slot(last);
    const { counts, sums, low } = this;
    let total = 0;
    while (at < end) {
      bucket += unzigzag(varintAt(stored, at));
      const count = weight * varintAt(stored, varintEnd);
      const sum = weight * unzigzag(varintAt(stored, varintEnd));
      at = varintEnd;
      counts[bucket - low]! += count;
      sums[bucket - low]! += sum;
      total += count;
    }
    this.total += total;
  }

  /** Empties it, keeping its arrays for the next use. */
  clear(): void {
    this.counts.fill(0);
    this.sums.fill(0);
    this.total = 0;
  }

  /** The buckets holding values (or, in a change, changed), lowest first. */
  forEachBucket(visit: (bucket: number, count: number, sum: number) => void): void {
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0 || this.sums[i] !== 0) visit(this.low + i, this.counts[i]!, this.sums[i]!);
  }

  /** The p-th percentile (0 < p <= 100) by nearest rank, as its bucket's mean rounded to the millisecond; null for no values. */
  percentile(p: number): number | null {
    return percentileOf(this.counts, this.sums, this.total, p);
  }

  /** The index of a bucket in the dense arrays, grown to hold it. */
  private slot(bucket: number): number {
    if (this.counts.length === 0) {
      this.low = bucket;
      this.grow(bucket, bucket + 16);
    } else if (bucket < this.low) this.grow(Math.min(bucket, this.low - this.counts.length), this.low + this.counts.length);
    else if (bucket >= this.low + this.counts.length) this.grow(this.low, Math.max(bucket + 1, this.low + 2 * this.counts.length));
    return bucket - this.low;
  }

  private grow(low: number, high: number): void {
    const counts = new Float64Array(high - low);
    const sums = new Float64Array(high - low);
    counts.set(this.counts, this.low - low);
    sums.set(this.sums, this.low - low);
    this.low = low;
    this.counts = counts;
    this.sums = sums;
  }
}

/**
 * One rollup cell's durations as its writer keeps them between batches: only the buckets holding values, in order. A cell
 * holds a bucket or two (an hour of one node) to a few hundred (a day of every interruption), spread over the range of
 * push durations; DurationHistogram's dense arrays would span that range for each, and every write would walk it.
 * Answers percentiles exactly as a DurationHistogram with the same values does.
 */
export class CellHistogram {
  private readonly buckets: number[] = [];
  private readonly counts: number[] = [];
  private readonly sums: number[] = [];
  /** Values counted (a negative weight takes one back). */
  total = 0;

  /** A stored histogram (see encode), decoded. */
  static decode(stored: Uint8Array): CellHistogram {
    const histogram = new CellHistogram();
    histogram.addEncoded(stored);
    return histogram;
  }

  /** Adds a stored histogram's values. */
  addEncoded(stored: Uint8Array): void {
    const end = stored.byteLength;
    if (end === 0) return;
    let bucket = unzigzag(varintAt(stored, 0));
    varintAt(stored, varintEnd); // the highest bucket: the entries say it again
    let at = varintEnd;
    while (at < end) {
      bucket += unzigzag(varintAt(stored, at));
      const count = varintAt(stored, varintEnd);
      const sum = unzigzag(varintAt(stored, varintEnd));
      at = varintEnd;
      this.addToBucket(bucket, count, sum);
    }
  }

  /** Adds `weight` values of `ms` (-1 takes one back). */
  add(ms: number, weight = 1): void {
    this.addToBucket(bucketOf(ms), weight, ms * weight);
  }

  private addToBucket(bucket: number, count: number, sum: number): void {
    const { buckets, counts, sums } = this;
    this.total += count;
    // Decoding appends in order: no search.
    let low = buckets.length;
    if (low > 0 && buckets[low - 1]! >= bucket) {
      low = 0;
      let high = buckets.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (buckets[middle]! < bucket) low = middle + 1;
        else high = middle;
      }
    }
    if (buckets[low] !== bucket) {
      buckets.splice(low, 0, bucket);
      counts.splice(low, 0, count);
      sums.splice(low, 0, sum);
      return;
    }
    counts[low]! += count;
    sums[low]! += sum;
    // Empty again: gone, as a dense histogram skips it.
    if (counts[low] === 0 && sums[low] === 0) {
      buckets.splice(low, 1);
      counts.splice(low, 1);
      sums.splice(low, 1);
    }
  }

  /**
   * The buckets holding values, packed: what a rollup row stores. Varints: the lowest and the highest bucket, then per
   * bucket its distance from the one before, its count and the sum of its values (about 6 bytes a bucket).
   */
  encode(): Buffer {
    const { buckets, counts, sums } = this;
    const n = buckets.length;
    for (let i = 0; i < n; i++) {
      if (counts[i]! <= 0) throw new RangeError(`bucket ${buckets[i]} would hold ${counts[i]} values summing to ${sums[i]}`);
    }
    if (n === 0) return Buffer.alloc(0);
    // A varint of a safe integer takes at most 8 bytes.
    const bytes = Buffer.allocUnsafe(16 + n * 24);
    let at = putVarint(bytes, putVarint(bytes, 0, zigzag(buckets[0]!)), zigzag(buckets[n - 1]!));
    let previous = buckets[0]!;
    for (let i = 0; i < n; i++) {
      at = putVarint(bytes, putVarint(bytes, putVarint(bytes, at, zigzag(buckets[i]! - previous)), counts[i]!), zigzag(sums[i]!));
      previous = buckets[i]!;
    }
    return bytes.subarray(0, at);
  }

  /** As DurationHistogram.percentile answers. */
  percentile(p: number): number | null {
    return percentileOf(this.counts, this.sums, this.total, p);
  }
}
