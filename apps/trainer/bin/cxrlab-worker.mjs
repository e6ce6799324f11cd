#!/usr/bin/env node
// Runs the worker's TypeScript source directly (the workspace packages export source, not builds).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
