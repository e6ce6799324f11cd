export { type RunArtifacts, writeRunArtifacts, writeRunStatus } from "./artifacts.ts";
export { createRunDir, readJson, writeJson } from "./run-dir.ts";
export { formatSeedSummary, type SeedRun, type SeedSummary, summarizeSeeds } from "./seed-summary.ts";
