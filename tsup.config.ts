import { defineConfig } from "tsup";
import { readdirSync, existsSync } from "node:fs";

// One entry per module face (src/<module>/index.ts) plus the umbrella and the internal subpath
// ("vla-primitives/internal", the building blocks behind the faces), so each subpath export
// ("vla-primitives/tokenizer", ...) is its own small file.
const modules = readdirSync("src", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/${d.name}/index.ts`))
  .map((d) => d.name);

export default defineConfig({
  entry: {
    index: "src/index.ts",
    internal: "src/internal.ts",
    ...Object.fromEntries(modules.map((m) => [`${m}/index`, `src/${m}/index.ts`])),
  },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: "node20",
  platform: "neutral",
  external: [/^@tensorflow\//, "fft.js", "ndarray", "hyparquet", "pngjs", /^node:/, "webgpu"],
});
