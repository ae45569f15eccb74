/**
 * The package version, read from the nearest `package.json` named `vla-primitives` above this file
 * (works from `src/` under tsx and from `dist/` after the build). `"unknown"` when not found.
 */
export async function packageVersion(): Promise<string> {
  const fs = await import("node:fs/promises");
  let url = new URL("./", import.meta.url);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(await fs.readFile(new URL("package.json", url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "vla-primitives" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not here; go up
    }
    url = new URL("../", url);
  }
  return "unknown";
}
