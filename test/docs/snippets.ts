import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** One ```ts block of a Markdown page. */
export interface Snippet {
  /** Page path relative to the repository root, e.g. `docs/depth.md`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** Set for ```ts no-run blocks: the reason given after `no-run` ("" when none was given). */
  noRun?: string;
}

const OPEN = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/;

/**
 * Every ```ts (or ```typescript) block of a Markdown text. A block fenced ```ts no-run <reason> is returned with
 * `noRun` set (convention for the rare snippet that cannot run in Node; the reason is one line). Other languages
 * and unfenced text are ignored; the opening fence's indentation is removed from the block's lines.
 */
export function extractTsSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]);
    if (!m) continue;
    const [, indent, fence, lang, meta] = m;
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]); j++) body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    if (lang === "ts" || lang === "typescript") {
      const s: Snippet = { file, line: i + 1, code: body.join("\n") + "\n" };
      if (/^no-run\b/.test(meta)) s.noRun = meta.replace(/^no-run\b/, "").trim();
      out.push(s);
    }
    i = j; // skip the block, whatever its language
  }
  return out;
}

/** README.md and docs/*.md (sorted), the pages whose TypeScript blocks must run. */
export function docPages(root: string): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join(root, "docs", f));
  return [join(root, "README.md"), ...docs].map((p) => relative(root, p));
}

/** All snippets of {@link docPages}. */
export function allSnippets(root: string): Snippet[] {
  return docPages(root).flatMap((f) => extractTsSnippets(readFileSync(join(root, f), "utf8"), f));
}
