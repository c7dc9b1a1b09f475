import { randomBytes, randomInt } from "node:crypto";

/** Randomness enters through this port so tests can make it deterministic. */
export interface Random {
  bytes(n: number): Buffer;
  /** Integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

export const systemRandom: Random = {
  bytes: (n) => randomBytes(n),
  int: (maxExclusive) => randomInt(maxExclusive),
};

/** A seeded generator (mulberry32) for tests. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
  };
}
