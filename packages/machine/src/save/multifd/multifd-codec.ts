/**
 * A compression method of multifd packets (`multifd-compression`). QEMU 7.2 keeps one stream per
 * channel across all its packets, each packet's data ending at a sync flush, so a compressor and a
 * decompressor belong to one channel for the whole migration. The machine stays free of any
 * codec: the Node entry supplies zlib's (`node:zlib`); a browser embedding could supply its own.
 */
export interface MultifdCodec {
  /** The packet flag naming the method (MULTIFD_FLAG_ZLIB …). */
  readonly flag: number;
  /** A compressor for one channel; each call's output is one packet's data. */
  compressor(): MultifdCompressor;
  /** A decompressor for one channel. */
  decompressor(): MultifdDecompressor;
}

export interface MultifdCompressor {
  compress(pages: Uint8Array): Promise<Uint8Array>;
  close(): void;
}

export interface MultifdDecompressor {
  /** Exactly `size` bytes from `data`, or an error when it inflates to more or fewer. */
  decompress(data: Uint8Array, size: number): Promise<Uint8Array>;
  close(): void;
}
