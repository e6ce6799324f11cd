export * from "./config.ts";
export * from "./labels.ts";
export * from "./presets.ts";
