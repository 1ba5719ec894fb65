#!/usr/bin/env node
// Compiles the app into one ES module, dist/main.mjs or the path given
// (inside the package, so the app finds its migrations); packages stay in node_modules.
// `npm start` runs this first: the app then starts on plain Node, without a
// TypeScript loader, which takes about a third less memory and starts faster.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: process.argv[2] ?? "dist/main.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
