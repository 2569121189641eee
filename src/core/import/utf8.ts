import { Transform, type TransformCallback } from "node:stream";

/** A file that is not UTF-8 is refused at the first bad byte, with its line, not turned into U+FFFD. */
export class EncodingError extends Error {
  constructor(
    readonly line: number,
    readonly byte: number,
  ) {
    super(`not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, "0")}); save the file as UTF-8`);
    this.name = "EncodingError";
  }
}

/** Offset of the first byte that cannot start or continue a UTF-8 sequence, or -1. Only run on failure. */
function firstInvalidByte(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let need: number;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) return i;
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

const NEWLINE = 0x0a;

function countNewlines(buf: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (buf[i] === NEWLINE) n++;
  return n;
}

/** The trailing bytes of an unfinished multi-byte sequence (what the decoder holds back), possibly empty. */
function incompleteTail(chunk: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const b = chunk[chunk.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return len > back ? chunk.subarray(chunk.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * Decodes a byte stream strictly. The native decoder does the work; only when it refuses do we scan
 * to name the line. 0x0A never occurs inside a multi-byte sequence, so counting raw newlines is exact.
 * A leading BOM is dropped by the decoder.
 */
export function strictUtf8(): Transform {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let linesBefore = 0;
  // The unfinished sequence at the end of the previous chunk, so an error spanning two chunks is located.
  let tail: Uint8Array = new Uint8Array(0);
  const fail = (chunk: Uint8Array): EncodingError => {
    const joined = Buffer.concat([tail, chunk]);
    let at = firstInvalidByte(joined);
    if (at < 0) at = Math.max(0, joined.length - 1);
    return new EncodingError(linesBefore + countNewlines(joined, at) + 1, joined[at] ?? 0);
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        done(fail(chunk));
        return;
      }
      linesBefore += countNewlines(chunk, chunk.length);
      tail = incompleteTail(chunk);
      done(null, text);
    },
    flush(done: TransformCallback) {
      try {
        const rest = decoder.decode();
        done(null, rest || undefined);
      } catch {
        done(fail(new Uint8Array(0)));
      }
    },
  });
}
