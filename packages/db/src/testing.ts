/** Test and tooling fixtures (`@cxrlab/db/testing`): a scratch PostgreSQL database. */
export { createScratchPostgres } from "./scratch-postgres.ts";
