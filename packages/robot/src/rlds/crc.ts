import { crc32c } from "@node-rs/crc32";

const MASK_DELTA = 0xa282ead8;

/**
 * The masked CRC32C that TFRecord stores beside the length and the data: the Castagnoli CRC rotated right by 15
 * bits plus a constant, so that a CRC computed over bytes that themselves hold CRCs does not degenerate.
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}
