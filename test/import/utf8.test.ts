import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { EncodingError, strictUtf8 } from "../../src/core/import/utf8.js";

/** Feeds `bytes` in chunks of `size` and collects the decoded text, or the error. */
async function decode(bytes: Buffer, size: number): Promise<string | EncodingError> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  let text = "";
  try {
    for await (const part of Readable.from(chunks).pipe(strictUtf8())) text += part as string;
    return text;
  } catch (err) {
    if (err instanceof EncodingError) return err;
    throw err;
  }
}

describe("strict UTF-8 decoding", () => {
  const valid = Buffer.from("\uFEFFname\nZoë\n日本\n🙂 ok\n");

  it.each([1, 2, 3, 5, 64])("decodes multi-byte characters split across chunks of %i bytes", async (size) => {
    expect(await decode(valid, size)).toBe("name\nZoë\n日本\n🙂 ok\n");
  });

  it.each([1, 2, 3, 7, 64])("names the line of the first bad byte with chunks of %i bytes", async (size) => {
    const bad = Buffer.concat([Buffer.from("a\nb\nZo\u00eb\n日"), Buffer.from([0xe6, 0x41]), Buffer.from("\nz\n")]);
    const err = await decode(bad, size);
    expect(err).toBeInstanceOf(EncodingError);
    expect(err).toMatchObject({ line: 4, byte: 0xe6 });
  });

  it("refuses a file that ends inside a multi-byte character", async () => {
    const err = await decode(Buffer.concat([Buffer.from("a\nb\n"), Buffer.from([0xe6, 0x97])]), 64);
    expect(err).toMatchObject({ line: 3, byte: 0xe6 });
  });
});
