// Streaming XXH64 (the published algorithm, seedable), so a digest can run across the several
// memories of a large guest: the state record is copied from one memory to the next.
// State record: lanes 0..31, total length 32, seed 40, buffer 48..79, buffered length 80.

const P1: u64 = 0x9e3779b185ebca87;
const P2: u64 = 0xc2b2ae3d27d4eb4f;
const P3: u64 = 0x165667b19e3779f9;
const P4: u64 = 0x85ebca77c2b2ae63;
const P5: u64 = 0x27d4eb2f165667c5;

const X_TOTAL: usize = 32;
const X_SEED: usize = 40;
const X_BUF: usize = 48;
const X_BUFLEN: usize = 80;

// @ts-ignore: decorator
@inline
function round(acc: u64, input: u64): u64 {
  return rotl<u64>(acc + input * P2, 31) * P1;
}

// @ts-ignore: decorator
@inline
function mergeRound(h: u64, lane: u64): u64 {
  return (h ^ round(0, lane)) * P1 + P4;
}

export function xxh64Reset(st: usize, seed: u64): void {
  store<u64>(st, seed + P1 + P2);
  store<u64>(st, seed + P2, 8);
  store<u64>(st, seed, 16);
  store<u64>(st, seed - P1, 24);
  store<u64>(st + X_TOTAL, 0);
  store<u64>(st + X_SEED, seed);
  store<u32>(st + X_BUFLEN, 0);
}

/** Consumes whole 32-byte stripes from p; returns the bytes consumed. */
function stripes(st: usize, p: usize, len: usize): usize {
  let v1 = load<u64>(st);
  let v2 = load<u64>(st, 8);
  let v3 = load<u64>(st, 16);
  let v4 = load<u64>(st, 24);
  const end = p + (len & ~<usize>31);
  let q = p;
  while (q < end) {
    v1 = round(v1, load<u64>(q));
    v2 = round(v2, load<u64>(q, 8));
    v3 = round(v3, load<u64>(q, 16));
    v4 = round(v4, load<u64>(q, 24));
    q += 32;
  }
  store<u64>(st, v1);
  store<u64>(st, v2, 8);
  store<u64>(st, v3, 16);
  store<u64>(st, v4, 24);
  return q - p;
}

export function xxh64Update(st: usize, p: usize, len: usize): void {
  store<u64>(st + X_TOTAL, load<u64>(st + X_TOTAL) + <u64>len);
  let buffered = <usize>load<u32>(st + X_BUFLEN);
  if (buffered > 0) {
    const take = min<usize>(32 - buffered, len);
    memory.copy(st + X_BUF + buffered, p, take);
    buffered += take;
    p += take;
    len -= take;
    if (buffered < 32) {
      store<u32>(st + X_BUFLEN, <u32>buffered);
      return;
    }
    stripes(st, st + X_BUF, 32);
    buffered = 0;
  }
  const done = stripes(st, p, len);
  const rest = len - done;
  memory.copy(st + X_BUF, p + done, rest);
  store<u32>(st + X_BUFLEN, <u32>rest);
}

export function xxh64Digest(st: usize): u64 {
  const total = load<u64>(st + X_TOTAL);
  let h: u64;
  if (total >= 32) {
    const v1 = load<u64>(st);
    const v2 = load<u64>(st, 8);
    const v3 = load<u64>(st, 16);
    const v4 = load<u64>(st, 24);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = load<u64>(st + X_SEED) + P5;
  }
  h += total;
  let q = st + X_BUF;
  const end = q + <usize>load<u32>(st + X_BUFLEN);
  while (q + 8 <= end) {
    h ^= round(0, load<u64>(q));
    h = rotl<u64>(h, 27) * P1 + P4;
    q += 8;
  }
  if (q + 4 <= end) {
    h ^= <u64>load<u32>(q) * P1;
    h = rotl<u64>(h, 23) * P2 + P3;
    q += 4;
  }
  while (q < end) {
    h ^= <u64>load<u8>(q) * P5;
    h = rotl<u64>(h, 11) * P1;
    q++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}
