import { lerobotFormat } from "./lerobot-format.js";
import { llavaFormat } from "./llava-format.js";
import { parquetVqaFormat } from "./parquet-vqa-format.js";
import { registerFormat } from "./registry.js";
import { rldsFormat } from "./rlds-format.js";
import { shardsFormat } from "./shards-format.js";

// Registration order is detection order: the folder layouts with a marker file first, then file extensions.
for (const format of [rldsFormat, lerobotFormat, shardsFormat, llavaFormat, parquetVqaFormat]) registerFormat(format);
