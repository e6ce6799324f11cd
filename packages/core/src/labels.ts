/**
 * The classes CXR Lab is built for, in the order Keras' `flow_from_directory` indexes them
 * (sorted folder names). Data folders may carry other classes; these are the defaults.
 */
export const CXR_CLASS_NAMES = ["COVID", "Normal", "Viral Pneumonia"] as const;
export type CxrClassName = (typeof CXR_CLASS_NAMES)[number];

/** Short display names for plots and tables. */
export const CLASS_SHORT_NAMES: Record<CxrClassName, string> = {
  COVID: "COVID-19",
  Normal: "Normal",
  "Viral Pneumonia": "Viral Pn.",
};
