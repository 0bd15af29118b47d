import { MissingError, ParquetTable } from "@cotrain/core";

/**
 * Opens one of a dataset's Parquet files with core's reader. A missing file keeps LeRobot's own code
 * (`LEROBOT_FILE_MISSING`), which skip counts and users' handlers already key on.
 */
export async function openLeRobotParquet(file: string): Promise<ParquetTable> {
  try {
    return await ParquetTable.open(file);
  } catch (error) {
    if (error instanceof MissingError && error.code === "PARQUET_FILE_MISSING") {
      throw new MissingError("LEROBOT_FILE_MISSING", "the Parquet file does not exist", { file, cause: error });
    }
    throw error;
  }
}
