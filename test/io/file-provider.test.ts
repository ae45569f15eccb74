import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileMap, nodeFolder, snapshotPath } from "../../src/io/file-provider.js";
import { sendWithRange } from "./range-server.js";

const root = mkdtempSync(join(tmpdir(), "vla-files-"));
const snap = join(root, "snap");
mkdirSync(join(snap, "sub"), { recursive: true });
writeFileSync(join(snap, "config.json"), '{"a":1}');
writeFileSync(join(snap, "sub", "x.bin"), new Uint8Array([1, 2, 3, 4]));
writeFileSync(join(root, "secret.txt"), "outside");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("snapshotPath", () => {
  it("normalises relative paths and rejects anything that could leave the root", () => {
    expect(snapshotPath("f", "p", "./sub//x.bin")).toBe("sub/x.bin");
    expect(() => snapshotPath("f", "p", "../secret.txt")).toThrow(/f: path must stay inside p \(no "\.\." segments\); got "\.\.\/secret.txt"/);
    expect(() => snapshotPath("f", "p", "sub/../../secret.txt")).toThrow(/no "\.\." segments/);
    expect(() => snapshotPath("f", "p", "/etc/passwd")).toThrow(/must be a relative path with "\/" separators inside p/);
    expect(() => snapshotPath("f", "p", "C:/x")).toThrow(/must be a relative path/);
    expect(() => snapshotPath("f", "p", "a\\b")).toThrow(/must be a relative path/);
    expect(() => snapshotPath("f", "p", "./")).toThrow(/must name a file inside p/);
    expect(() => snapshotPath("f", "p", "")).toThrow(/must be a non-empty path/);
  });
});

describe("nodeFolder", () => {
  it("has / open / readText inside the folder", async () => {
    const f = nodeFolder(snap);
    expect(f.describe).toBe(`folder ${JSON.stringify(snap)}`);
    expect(await f.has("config.json")).toBe(true);
    expect(await f.has("sub")).toBe(false); // a folder is not a file
    expect(await f.has("nope.json")).toBe(false);
    expect(await f.readText("config.json")).toBe('{"a":1}');
    const src = await f.open("sub/x.bin");
    expect(Array.from(await src.read(1, 2))).toEqual([2, 3]);
    await src.close!();
  });

  it("rejects path traversal and names missing files with the folder", async () => {
    const f = nodeFolder(snap);
    await expect(f.readText("../secret.txt")).rejects.toThrow(/nodeFolder.readText: path must stay inside folder ".*snap"/);
    await expect(f.open("../secret.txt")).rejects.toThrow(/nodeFolder.open: path must stay inside/);
    await expect(f.has("../secret.txt")).rejects.toThrow(/nodeFolder.has: path must stay inside/);
    await expect(f.open("model.safetensors")).rejects.toThrow(/nodeFolder.open: "model.safetensors" is missing from folder ".*snap"$/);
    await expect(f.readText("tokenizer.json")).rejects.toThrow(/nodeFolder.readText: "tokenizer.json" is missing from folder ".*snap"$/);
    await expect(nodeFolder(join(root, "gone")).readText("config.json")).rejects.toThrow(/is missing from folder ".*gone" \(the folder does not exist\)/);
  });
});

describe("fileMap", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      sendWithRange(req, res, Buffer.from('{"remote":true}'));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("serves Files, Blobs, bytes and URLs under snapshot-relative keys", async () => {
    const f = fileMap({
      "./config.json": new File(['{"a":1}'], "config.json"),
      "tokenizer.json": new Blob(["tok"]),
      "weights/x.bin": new Uint8Array([9, 8, 7]),
      "remote.json": `${base}/remote.json`,
      "remote2.json": new URL(`${base}/r2.json`),
    });
    expect(f.describe).toBe("file map (5 files)");
    expect(await f.has("config.json")).toBe(true);
    expect(await f.has("./weights//x.bin")).toBe(true);
    expect(await f.readText("config.json")).toBe('{"a":1}');
    expect(await f.readText("tokenizer.json")).toBe("tok");
    expect(Array.from(await (await f.open("weights/x.bin")).read(1, 2))).toEqual([8, 7]);
    expect(await f.readText("remote.json")).toBe('{"remote":true}');
    const r = await f.open("remote2.json");
    expect(await r.size()).toBe(15);
    expect(new TextDecoder().decode(await r.read(2, 6))).toBe("remote");
  });

  it("names missing paths and bad values with the provider", async () => {
    const f = fileMap(new Map([["config.json", new Uint8Array(2)]]), { name: "dropped folder" });
    await expect(f.open("model.safetensors")).rejects.toThrow(/fileMap.open: "model.safetensors" is missing from dropped folder$/);
    await expect(f.readText("x/../../y")).rejects.toThrow(/fileMap.readText: path must stay inside dropped folder/);
    expect(() => fileMap({ "a.bin": 3 as unknown as Uint8Array })).toThrow(/fileMap: map\["a.bin"\] must be a File, Blob, Uint8Array or URL; got 3/);
    expect(() => fileMap({ "a.bin": new Uint8Array(1), "./a.bin": new Uint8Array(1) })).toThrow(/names the same file as another key \("a.bin"\)/);
  });
});
