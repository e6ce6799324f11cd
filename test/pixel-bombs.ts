// Images whose headers declare far more pixels than they hold: what a decompression bomb looks like to
// a reader that trusts the header. Tests check these are refused from the header, before decoding.
import { crc32 } from "node:zlib";
import { buildDicom } from "@cxrlab/core/testing";
import sharp from "sharp";

/** A valid 8×8 PNG whose IHDR (width, height and its CRC rewritten) declares `width`×`height`. */
export async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
    .png()
    .toBuffer();
  // Signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), ... CRC.
  if (png.toString("latin1", 12, 16) !== "IHDR") throw new Error("PNG without IHDR first");
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** A 4×4 DICOM (explicit little endian) whose Rows and Columns are rewritten to `width`×`height`. */
export async function dicomDeclaring(width: number, height: number, patientId: string): Promise<Buffer> {
  const dicom = await buildDicom({
    width: 4,
    height: 4,
    pixels: Array.from({ length: 16 }, (_, i) => i * 100),
    attributes: { PatientID: patientId, SOPInstanceUID: `1.2.826.0.1.3680043.8.498.77.${width}` },
  });
  const set = (element: number, value: number) => {
    // (0028,eeee) US, 2 bytes: group and element little-endian, "US", length 2, value.
    const tag = Buffer.from([0x28, 0x00, element, 0x00, 0x55, 0x53, 0x02, 0x00]);
    const at = dicom.indexOf(tag);
    if (at < 0) throw new Error(`test DICOM without (0028,00${element.toString(16)})`);
    dicom.writeUInt16LE(value, at + tag.length);
  };
  set(0x10, height);
  set(0x11, width);
  return dicom;
}
