import { ConfigError, CotrainError, UnsupportedError } from "../errors.js";
import type { RequestUrl } from "./http-fetcher.js";
import type { S3Options } from "./remote-options.js";

/** How long a presigned URL stays valid; each request gets a fresh one, so this only needs to outlast one request. */
const EXPIRES_S = 15 * 60;

/** `s3://bucket/key` → bucket and key (the key decoded: `s3://b/a%20b` names the key "a b"). */
export function parseS3Location(location: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(location);
  if (!match) throw new ConfigError("REMOTE_S3_URL", "an s3 location must look like s3://bucket/key", { file: location });
  return { bucket: match[1] as string, key: decodeURIComponent(match[2] as string) };
}

/**
 * s3:// requests go through the same fetch, range, retry and cache path as https://, signed by the AWS SDK: for
 * each request the SDK presigns a HeadObject or GetObject URL (SigV4 in the query string) with the credentials
 * and region its own provider chain finds (environment, ~/.aws, SSO, instance roles) or those given in
 * `options`. The SDK is an optional peer dependency, imported on the first s3:// request only, so that nobody
 * who reads local or http(s) data installs or loads it. Its own retries are turned off: the remote layer's retry
 * policy (and its fault counters) applies to S3 as to HTTP.
 */
export function s3RequestUrl(options: S3Options): RequestUrl {
  let signer: Promise<(bucket: string, key: string, method: "HEAD" | "GET") => Promise<string>> | null = null;
  const load = async () => {
    let s3: typeof import("@aws-sdk/client-s3");
    let presigner: typeof import("@aws-sdk/s3-request-presigner");
    try {
      [s3, presigner] = await Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/s3-request-presigner")]);
    } catch (cause) {
      throw new UnsupportedError("REMOTE_S3_SDK", "s3:// locations need the AWS SDK: npm install @aws-sdk/client-s3 @aws-sdk/s3-request-presigner", { cause });
    }
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    const client = new s3.S3Client({
      maxAttempts: 1,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    });
    return (bucket: string, key: string, method: "HEAD" | "GET") => {
      const command = method === "HEAD" ? new s3.HeadObjectCommand({ Bucket: bucket, Key: key }) : new s3.GetObjectCommand({ Bucket: bucket, Key: key });
      return presigner.getSignedUrl(client, command, { expiresIn: EXPIRES_S });
    };
  };
  return async (location, method) => {
    signer ??= load();
    const { bucket, key } = parseS3Location(location);
    try {
      return await (await signer)(bucket, key, method);
    } catch (cause) {
      if (cause instanceof CotrainError) throw cause;
      // No region or no credentials: a configuration problem, not a fault to retry.
      throw new ConfigError("REMOTE_S3_SIGN", `cannot sign the S3 request: ${(cause as Error).message ?? String(cause)}`, { file: location, cause });
    }
  };
}
