/**
 * One error hierarchy for the whole project. Every error carries a stable `code` and, where it applies, the place
 * in the data that was wrong: the file, the byte offset or the record/row, and the field. Messages lead with the
 * place so a log line alone tells a user where to look.
 */
export interface ErrorLocation {
  /** Path of the file (or manifest, or URL-like name) that held the bad data. */
  file?: string;
  /** Byte offset into `file` where the bad item starts. */
  offset?: number;
  /** Record (TFRecord episode), row (Parquet/Arrow) or entry (JSON array element) index, 0-based. */
  row?: number;
  /** An id for the item where the format has one (LLaVA `id`, episode file path). */
  id?: string;
  /** The key, column or JSON field that was wrong. */
  field?: string;
}

export interface CotrainErrorOptions extends ErrorLocation {
  cause?: unknown;
}

export class CotrainError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly offset?: number;
  readonly row?: number;
  readonly id?: string;
  readonly field?: string;

  constructor(code: string, message: string, options: CotrainErrorOptions = {}) {
    super(formatMessage(message, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
    if (options.offset !== undefined) this.offset = options.offset;
    if (options.row !== undefined) this.row = options.row;
    if (options.id !== undefined) this.id = options.id;
    if (options.field !== undefined) this.field = options.field;
  }

  /** The location fields only, for re-raising with more context or counting skips. */
  location(): ErrorLocation {
    const { file, offset, row, id, field } = this;
    return { file, offset, row, id, field };
  }
}

function formatMessage(message: string, loc: ErrorLocation): string {
  const where: string[] = [];
  if (loc.file !== undefined) where.push(loc.file);
  if (loc.offset !== undefined) where.push(`byte ${loc.offset}`);
  if (loc.row !== undefined) where.push(`row ${loc.row}`);
  if (loc.id !== undefined) where.push(`id ${JSON.stringify(loc.id)}`);
  if (loc.field !== undefined) where.push(`field ${JSON.stringify(loc.field)}`);
  return where.length === 0 ? message : `${where.join(", ")}: ${message}`;
}

/** The data on disk is not what its format says it must be (bad framing, bad protobuf, bad JSON, bad shape). */
export class FormatError extends CotrainError {}
/** A stored checksum (CRC32C, manifest sha256) does not match the bytes. */
export class ChecksumError extends CotrainError {}
/** A file ends before the structure it announced is complete. */
export class TruncatedError extends CotrainError {}
/** A required key, column or file is absent. */
export class MissingError extends CotrainError {}
/** A value is present but not acceptable (non-finite action, wrong shape, unknown role, path traversal). */
export class ValueError extends CotrainError {}
/** An image could not be decoded. */
export class ImageError extends CotrainError {}
/** The user's configuration is invalid; raised before any data is read. */
export class ConfigError extends CotrainError {}
/** A feature that the format allows but this build cannot handle (a Parquet codec, a missing ffmpeg). */
export class UnsupportedError extends CotrainError {}
/** A saved state does not fit the source it is restored into. */
export class StateError extends CotrainError {}
/** A remote file (http(s)://, s3://) could not be fetched: a refused request, or faults that outlasted the retries. */
export class RemoteError extends CotrainError {}

export function isCotrainError(value: unknown): value is CotrainError {
  return value instanceof CotrainError;
}
