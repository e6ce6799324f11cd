import { committedMigrations, describeStore, withStore } from "@cxrlab/db";
import type { Command } from "commander";

export function registerDbCommand(program: Command): void {
  const db = program.command("db").description("the experiment store's database");
  db.command("migrate")
    .description("apply the committed migrations (DATABASE_URL, default: a per-user SQLite file)")
    .action(async () => {
      await withStore(async (store) => {
        const total = committedMigrations(store.target.provider).length;
        console.log(
          `${describeStore(store)}: schema up to date (${total} migration${total === 1 ? "" : "s"})`,
        );
      });
    });
}
