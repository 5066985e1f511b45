// Byte offsets of the scanner state record. The TypeScript side reads these exported globals at
// load time, so this file is the only place the layout is written down.

/** Pointer to local page 0 of the range this state covers. */
export const ST_RAM: u32 = 0;
/** log2 of the page size. */
export const ST_SHIFT: u32 = 4;
/** Number of pages this state covers (sizes the tables and per-page arrays). */
export const ST_PAGES: u32 = 8;
/** Guest-wide index of local page 0: reported indices are local + base. */
export const ST_BASE: u32 = 12;
/** Sampled-hash table: (key u32, value u32) slots; value 0 = empty, else local page + 1 or COLLIDED. */
export const ST_STABLE: u32 = 16;
export const ST_SMASK: u32 = 20;
/** Full-hash table for sampled-hash groups that met different contents. */
export const ST_FTABLE: u32 = 24;
export const ST_FMASK: u32 = 28;
/** u32 per page: the guest-wide original a recorded page stands for (itself unless remapped). */
export const ST_ORIGIN: u32 = 32;
/** u8 per page: kind of the page after the last scan. */
export const ST_KINDS: u32 = 36;
/** u32 per page: uniform byte, original index, or the page's own index. */
export const ST_VALUES: u32 = 40;
/** Pages recorded as new by the last scanPages call, and their sampled hashes. */
export const ST_NEW_PAGES: u32 = 44;
export const ST_NEW_HASHES: u32 = 48;
export const ST_NEW_COUNT: u32 = 52;
/** Counts of the last scanPages call. */
export const ST_ZERO: u32 = 56;
export const ST_UNIFORM: u32 = 60;
export const ST_DUPLICATE: u32 = 64;
export const ST_UNIQUE: u32 = 68;
/** Entries in the two tables; inserts stop at ST_PAGES each, so probing always ends. */
export const ST_SCOUNT: u32 = 72;
export const ST_FCOUNT: u32 = 76;
/** Set when an insert was refused because a table held ST_PAGES entries. */
export const ST_OVERFLOW: u32 = 80;
/** Sum of prefetching loads of the last call (meaningless; keeps the loads alive). */
export const ST_TOUCHED: u32 = 84;
/** Scratch tallies of a running scanPages call (6 × u32). */
export const ST_TALLY: u32 = 88;
/** Scratch list of one batch's candidate pages (room for 256 × u32; a batch is 128 pages). */
export const ST_CANDIDATES: u32 = 128;
/** Scratch results of one uniformBytes4 call (4 × i32). */
export const ST_UNIFORM4: u32 = 1152;
export const ST_SIZE: u32 = 1168;

/** Streaming xxh64 state: 4 lanes, total length, seed, 32-byte buffer, buffered length. */
export const XXH_SIZE: u32 = 96;

export const KIND_ZERO: u8 = 0;
export const KIND_UNIFORM: u8 = 1;
export const KIND_DUPLICATE: u8 = 2;
export const KIND_UNIQUE: u8 = 3;

/** S-table value meaning "this sampled hash met several contents: look in the full-hash table". */
export const COLLIDED: u32 = 0xffffffff;
