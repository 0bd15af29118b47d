import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { MissingError, RemoteClient, batchToIpc, collect, fromRows, openShards, setRemoteClient, writeShards } from "@cotrain/core";
import type { S3Options } from "@cotrain/core";
import { errorOf } from "@cotrain/test-utils";
import { mixedRows } from "./fixtures.js";

// s3:// through the AWS SDK's presigned URLs, against s3rver (an S3-compatible server from npm) started here on
// 127.0.0.1 with its well-known local credentials. The objects are uploaded with the SDK from files written here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-s3-"));
const data = randomBytes(5000);
const shardsDir = tmp();

let server: S3rver;
let s3: S3Options;
beforeAll(async () => {
  server = new S3rver({ port: 0, address: "127.0.0.1", directory: tmp(), silent: true });
  const { port } = await server.run();
  s3 = { endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } };
  const sdk = new S3Client({ ...s3, forcePathStyle: true });
  await sdk.send(new CreateBucketCommand({ Bucket: "cotrain" }));
  await sdk.send(new PutObjectCommand({ Bucket: "cotrain", Key: "data.bin", Body: data }));
  await writeShards(fromRows(mixedRows(50), { batchSize: 10 }), shardsDir, { format: "arrow", maxRowsPerShard: 20 });
  for (const name of readdirSync(shardsDir)) await sdk.send(new PutObjectCommand({ Bucket: "cotrain", Key: `shards/${name}`, Body: readFileSync(join(shardsDir, name)) }));
  sdk.destroy();
});
afterAll(() => server?.close());

describe("s3:// locations", () => {
  it("reads an object by ranges equal to its bytes, then from the cache", async () => {
    const cacheDir = tmp();
    const remote = new RemoteClient({ cacheDir, blockSize: 1024, s3 });
    expect(Buffer.from(await remote.readAll("s3://cotrain/data.bin")).equals(data)).toBe(true);
    expect(remote.stats()).toMatchObject({ bytesFetched: data.length, cacheMisses: 5 });
    const again = new RemoteClient({ cacheDir, blockSize: 1024, s3 });
    expect(Buffer.from(await again.readAll("s3://cotrain/data.bin")).equals(data)).toBe(true);
    expect(again.stats()).toMatchObject({ bytesFetched: 0, cacheHits: 5 });
    const missing = await errorOf(() => again.readAll("s3://cotrain/nope.bin"));
    expect(missing).toBeInstanceOf(MissingError);
  });

  it("opens shards under an s3:// prefix identically to the local copy", async () => {
    const previous = setRemoteClient(new RemoteClient({ cacheDir: tmp(), blockSize: 2048, s3 }));
    try {
      const local = (await collect(openShards(shardsDir))).map(batchToIpc);
      const remote = (await collect(openShards("s3://cotrain/shards"))).map(batchToIpc);
      expect(remote.length).toBe(local.length);
      remote.forEach((b, i) => expect(Buffer.from(b).equals(Buffer.from(local[i] as Uint8Array))).toBe(true));
    } finally {
      setRemoteClient(previous);
    }
  });
});
