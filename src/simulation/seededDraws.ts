// Seeded random draws for generated traffic: the same seed gives the same draws on every machine.

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Draws {
  random(): number;
  /** An integer from min to max, both included. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(share: number): boolean;
  /** `n` decimal digits, the first not 0: the 19-digit ids CSS gives sessions, files and messages. */
  digits(n: number): string;
  /** 32 lower-case hex digits in the 8-4-4-4-12 shape of a request id. */
  uuid(): string;
}

export function drawsFrom(random: () => number): Draws {
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const hex = (n: number) => Array.from({ length: n }, () => between(0, 15).toString(16)).join('');
  return {
    random,
    between,
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!,
    chance: (share) => random() < share,
    digits: (n) => String(between(1, 9)) + Array.from({ length: n - 1 }, () => between(0, 9)).join(''),
    uuid: () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
  };
}

/**
 * Draws of their own for one part (`salt`) of one session or relay task (`index`) of a seed's traffic, so
 * that turning one part of the story on or off leaves the draws of every other part as they were.
 */
export function derivedDraws(seed: number, index: number, salt: number): Draws {
  let h = Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35);
  h ^= Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h ^= Math.imul(salt + 1, 0x846ca68b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return drawsFrom(seededRandom((h ^ (h >>> 13)) >>> 0));
}
