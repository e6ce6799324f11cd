import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseCsv } from "./csv.ts";
import type { ImageGroups } from "./image-groups.ts";

/**
 * A CSV with columns file,patient_id (file relative to the CSV's folder, or absolute): each image's
 * patient, as the image groups a split by patient keeps whole. Throws naming the file for a missing
 * column or an empty patient ID.
 */
export async function readPatientIds(csvFile: string): Promise<ImageGroups> {
  const text = await readFile(csvFile, "utf8").catch((error: Error) => {
    throw new Error(`patients file ${csvFile}: ${error.message}`);
  });
  const rows = parseCsv(text, csvFile);
  const ids = new Map<string, string>();
  for (const [i, row] of rows.entries()) {
    if (row.file === undefined || row.patient_id === undefined) {
      throw new Error(`patients file ${csvFile}: needs the columns file,patient_id`);
    }
    if (!row.patient_id)
      throw new Error(`patients file ${csvFile} row ${i + 1}: empty patient_id for ${row.file}`);
    ids.set(path.resolve(path.dirname(csvFile), row.file), row.patient_id);
  }
  return { file: path.resolve(csvFile), groups: ids };
}
