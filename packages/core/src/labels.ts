/**
 * The classes CXR Lab is built for, in the order Keras' `flow_from_directory` indexes them
 * (sorted folder names). Data folders may carry other classes; these are the defaults.
 */
export const CXR_CLASS_NAMES = ["COVID", "Normal", "Viral Pneumonia"] as const;
