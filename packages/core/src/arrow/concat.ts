import { Data, DataType, Type, makeData } from "apache-arrow";

/**
 * Concatenates Arrow Data pieces of one type into one contiguous Data, copying buffers with typed-array `set`
 * (memcpy), never through row objects. Pieces may be slices: arrow-js slices fixed-width value buffers and
 * offset buffers on `slice()`, but indexes validity bitmaps and boolean values by `data.offset` bits, and keeps
 * list/struct children sliced only where there are no value offsets. This function follows those rules.
 */
export function concatData<T extends DataType>(type: T, pieces: readonly Data<T>[]): Data<T> {
  let length = 0;
  let nullCount = 0;
  for (const piece of pieces) {
    length += piece.length;
    nullCount += piece.nullCount;
  }
  const nullBitmap = nullCount > 0 ? concatValidity(pieces, length) : undefined;

  switch (type.typeId) {
    case Type.Null:
      return makeData({ type: type as never, length, nullCount: length }) as Data<T>;
    case Type.Bool:
      return makeData({ type: type as never, length, nullCount, nullBitmap, data: concatBits(pieces, length, (p) => p.values) }) as Data<T>;
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Decimal:
    case Type.FixedSizeBinary:
    case Type.Interval:
    case Type.Duration:
      return makeData({ type: type as never, length, nullCount, nullBitmap, data: concatFixed(pieces, length) }) as Data<T>;
    case Type.Utf8:
    case Type.Binary: {
      const { offsets, starts, ends } = concatOffsets(pieces, length);
      const values = new Uint8Array(offsets[length] as number);
      let at = 0;
      pieces.forEach((p, k) => {
        const part = (p.values as Uint8Array).subarray(starts[k], ends[k]);
        values.set(part, at);
        at += part.length;
      });
      return makeData({ type: type as never, length, nullCount, nullBitmap, valueOffsets: offsets, data: values }) as Data<T>;
    }
    case Type.List: {
      const { offsets, starts, ends } = concatOffsets(pieces, length);
      const childType = (type as unknown as { children: { type: DataType }[] }).children[0]!.type;
      const childPieces = pieces.map((p, k) => (p.children[0] as Data).slice(starts[k] as number, (ends[k] as number) - (starts[k] as number)));
      const child = concatData(childType, childPieces);
      return makeData({ type: type as never, length, nullCount, nullBitmap, valueOffsets: offsets, child }) as Data<T>;
    }
    case Type.FixedSizeList: {
      const size = (type as unknown as { listSize: number }).listSize;
      const childType = (type as unknown as { children: { type: DataType }[] }).children[0]!.type;
      const child = concatData(childType, pieces.map((p) => (p.children[0] as Data).slice(0, p.length * size)));
      return makeData({ type: type as never, length, nullCount, nullBitmap, child } as never) as Data<T>;
    }
    case Type.Struct: {
      const fields = (type as unknown as { children: { type: DataType }[] }).children;
      const children = fields.map((f, c) => concatData(f.type, pieces.map((p) => (p.children[c] as Data).slice(0, p.length))));
      return makeData({ type: type as never, length, nullCount, nullBitmap, children }) as Data<T>;
    }
    case Type.Dictionary: {
      const dictionary = pieces[0]?.dictionary;
      if (pieces.some((p) => p.dictionary !== dictionary)) {
        throw new TypeError("concatData: dictionary columns can only be concatenated when they share one dictionary");
      }
      const indices = concatFixed(pieces, length);
      return makeData({ type: type as never, length, nullCount, nullBitmap, data: indices, dictionary } as never) as unknown as Data<T>;
    }
    default:
      throw new TypeError(`concatData: unsupported Arrow type ${String(type)}`);
  }
}

function concatFixed(pieces: readonly Data[], length: number): ArrayLike<number> & { set(a: ArrayLike<number>, o: number): void } {
  const first = pieces[0];
  if (first === undefined) return new Uint8Array(0);
  const stride = first.stride;
  const Ctor = (first.values as { constructor: new (n: number) => never }).constructor;
  const out = new Ctor(length * stride) as unknown as Uint8Array;
  let at = 0;
  for (const p of pieces) {
    const part = (p.values as Uint8Array).subarray(0, p.length * stride);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function concatOffsets(pieces: readonly Data[], length: number): { offsets: Int32Array; starts: Int32Array; ends: Int32Array } {
  const offsets = new Int32Array(length + 1);
  const starts = new Int32Array(pieces.length);
  const ends = new Int32Array(pieces.length);
  let row = 0;
  let base = 0;
  pieces.forEach((p, k) => {
    const src = p.valueOffsets as Int32Array;
    const start = src[0] as number;
    const end = src[p.length] as number;
    starts[k] = start;
    ends[k] = end;
    for (let i = 1; i <= p.length; i++) offsets[row + i] = base + ((src[i] as number) - start);
    row += p.length;
    base += end - start;
  });
  return { offsets, starts, ends };
}

function concatValidity(pieces: readonly Data[], length: number): Uint8Array {
  return concatBits(pieces, length, (p) => (p.nullCount > 0 ? p.nullBitmap : undefined));
}

/** Copies bit ranges (validity or boolean values) from each piece, starting at the piece's bit offset. */
function concatBits(pieces: readonly Data[], length: number, bitsOf: (p: Data) => Uint8Array | undefined): Uint8Array {
  const out = new Uint8Array(((length + 63) & ~63) >> 3);
  let at = 0;
  for (const p of pieces) {
    const bits = bitsOf(p);
    if (bits === undefined || bits.length === 0) {
      for (let i = 0; i < p.length; i++, at++) out[at >> 3]! |= 1 << (at & 7);
      continue;
    }
    let src = p.offset;
    if ((src & 7) === 0 && (at & 7) === 0) {
      const fullBytes = p.length >> 3;
      out.set(bits.subarray(src >> 3, (src >> 3) + fullBytes), at >> 3);
      src += fullBytes << 3;
      at += fullBytes << 3;
      for (let i = fullBytes << 3; i < p.length; i++, src++, at++) {
        if ((bits[src >> 3]! >> (src & 7)) & 1) out[at >> 3]! |= 1 << (at & 7);
      }
    } else {
      for (let i = 0; i < p.length; i++, src++, at++) {
        if ((bits[src >> 3]! >> (src & 7)) & 1) out[at >> 3]! |= 1 << (at & 7);
      }
    }
  }
  return out;
}
