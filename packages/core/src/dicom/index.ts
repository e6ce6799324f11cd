export {
  type DicomGrayImage,
  type DicomMetadata,
  grayPng,
  isDicom,
  parseDicomDate,
  readDicom,
  readDicomMetadata,
} from "./read.ts";
export {
  transferSyntaxName,
  UndecodablePixelDataError,
  UnsupportedTransferSyntaxError,
} from "./transfer-syntax.ts";
