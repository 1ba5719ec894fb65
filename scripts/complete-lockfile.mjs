#!/usr/bin/env node
// The registry this project is built against does not serve every platform's
// binary package (e.g. win32, darwin builds of biome and msgpackr-extract), so
// `npm install` leaves them out of package-lock.json and `npm ci` then refuses
// the lock as out of sync. This adds the missing optional platform packages as
// lock entries with their os/cpu/libc, so npm ci skips them on other platforms
// exactly as it would with a complete lock. Run after changing dependencies.
import { readFileSync, writeFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const n = name.split("/").pop();
  const os = ["win32", "darwin", "android", "linux", "freebsd", "openbsd", "netbsd", "sunos", "aix"].find((o) =>
    n.includes(o),
  );
  const cpu = ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64", "mips64el"].find((c) =>
    new RegExp(`-${c}(-|$)`).test(n),
  );
  return {
    ...(os ? { os: [os] } : {}),
    ...(cpu ? { cpu: [cpu] } : {}),
    ...(n.endsWith("-musl") ? { libc: ["musl"] } : {}),
  };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key] || packages[`${path}/node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform.os && !platform.cpu) continue; // not a platform package: leave it to npm
    packages[key] = {
      version: version.replace(/^[\^~]/, ""),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} missing optional platform packages to package-lock.json`);
