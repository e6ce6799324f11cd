// The part of dcmjs (a root devDependency, used only to build DICOM files in tests) we call.
declare module "dcmjs" {
  type Dataset = Record<string, unknown>;
  interface DicomDictInstance {
    dict: Dataset;
    write(options?: { fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Dataset) => DicomDictInstance;
      DicomMetaDictionary: { denaturalizeDataset(dataset: Dataset): Dataset };
    };
  };
  export default dcmjs;
}
