// Push durations in log-spaced buckets (each 1 % wide), mergeable and subtractable: what the hourly rollups keep and percentiles read.

/** Each bucket spans (GAMMA^(i-1), GAMMA^i]: any value answered for a bucket is within 1 % of every value in it. */
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
/** The percentiles' stated bound, relative to the value measured. */
export const PERCENTILE_RELATIVE_ERROR = GAMMA - 1;

/** Beyond any safe integer: an int16 holds every bucket. */
const MAX_MAGNITUDE = 30_000;
/** Bytes per stored bucket: index (int16), count (uint32), sum of the values (float64). */
const ENTRY_BYTES = 14;

/**
 * The bucket of a duration: 0 and up for 1 ms and more, -1 for 0, and the mirror image below for negative ones (CSS may
 * send any integer), so buckets sort as their values do. Any safe integer fits an int16.
 */
export function bucketOf(ms: number): number {
  if (ms === 0) return -1;
  const magnitude = Math.min(MAX_MAGNITUDE, Math.max(0, Math.ceil(Math.log(Math.abs(ms)) / LOG_GAMMA - 1e-9)));
  return ms > 0 ? magnitude : -2 - magnitude;
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

  /** Adds a stored histogram (see `encode`), `weight` times (-1 takes it back). */
  addEncoded(stored: Uint8Array, weight = 1): void {
    const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
    for (let at = 0; at + ENTRY_BYTES <= stored.byteLength; at += ENTRY_BYTES) {
      this.addToBucket(view.getInt16(at, true), weight * view.getUint32(at + 2, true), weight * view.getFloat64(at + 6, true));
    }
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

  /** The buckets holding values, packed: what a rollup row stores. */
  encode(): Buffer {
    let buckets = 0;
    this.forEachBucket(() => buckets++);
    const stored = Buffer.alloc(buckets * ENTRY_BYTES);
    let at = 0;
    this.forEachBucket((bucket, count, sum) => {
      if (count <= 0) throw new RangeError(`bucket ${bucket} would hold ${count} values summing to ${sum}`);
      stored.writeInt16LE(bucket, at);
      stored.writeUInt32LE(count, at + 2);
      stored.writeDoubleLE(sum, at + 6);
      at += ENTRY_BYTES;
    });
    return stored;
  }

  /** The p-th percentile (0 < p <= 100) by nearest rank, as its bucket's mean rounded to the millisecond; null for no values. */
  percentile(p: number): number | null {
    if (this.total <= 0) return null;
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      // The values are integers: the rounded mean of a bucket stays between its least and greatest value.
      if (seen >= rank) return Math.round(this.sums[i]! / this.counts[i]!);
    }
    return null;
  }

  /** The index of a bucket in the dense arrays, grown to hold it. */
  private slot(bucket: number): number {
    if (this.counts.length === 0) {
      this.low = bucket;
      this.grow(bucket, bucket + 16);
    } else if (bucket < this.low) this.grow(bucket - 16, this.low + this.counts.length);
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
