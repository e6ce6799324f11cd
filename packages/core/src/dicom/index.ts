export {
  type DicomGrayImage,
  type DicomMetadata,
  grayPng,
  isDicom,
  parseDicomDate,
  readDicom,
  readDicomMetadata,
} from "./read.ts";
export { transferSyntaxName, UnsupportedTransferSyntaxError } from "./transfer-syntax.ts";
