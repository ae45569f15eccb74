import { fail } from "../core/index.js";
import { IMAGE_TOKEN_NAMES, MOLMOACT2_TOKEN_IDS, type ImageTokenName, type TokenIds } from "./token-ids.js";

/**
 * The MolmoAct2 special-token table: ids ↔ strings for the setup, control, state, action, depth and
 * image families. One instance is shared by the depth module (depth span ids) and the model
 * (prompt, decoding), so the two can never disagree.
 */
export class TokenTable {
  readonly ids: Readonly<TokenIds>;
  private readonly named: Map<string, number>;
  private readonly byId: Map<number, string>;

  constructor(overrides: Partial<TokenIds> = {}) {
    this.ids = Object.freeze({ ...MOLMOACT2_TOKEN_IDS, ...overrides });
    const i = this.ids;
    const pairs: [string, number][] = [
      ["<|endoftext|>", i.endOfText],
      ["<|im_start|>", i.imStart],
      ["<|im_end|>", i.imEnd],
      ["<setup_start>", i.setupStart],
      ["<setup_end>", i.setupEnd],
      ["<control_start>", i.controlStart],
      ["<control_end>", i.controlEnd],
      ["<state_start>", i.stateStart],
      ["<state_end>", i.stateEnd],
      ["<action_output>", i.actionOutput],
      ["<action_start>", i.actionStart],
      ["<action_end>", i.actionEnd],
      ["<depth_output>", i.depthOutput],
      ["<depth_start>", i.depthStart],
      ["<depth_end>", i.depthEnd],
      ...IMAGE_TOKEN_NAMES.map((n): [string, number] => [n, imageTokenId(i, n)]),
    ];
    this.named = new Map(pairs);
    this.byId = new Map(pairs.map(([s, id]) => [id, s]));
  }

  /** Id of a named special token such as `"<action_start>"` or `"<im_patch>"`. */
  id(name: string): number {
    const v = this.named.get(name);
    if (v !== undefined) return v;
    const m = /^<(state|action|depth)_(\d+)>$/.exec(name);
    if (m) {
      const k = Number(m[2]);
      if (m[1] === "state") return this.stateToken(k);
      if (m[1] === "action") return this.actionToken(k);
      return this.depthToken(k);
    }
    return fail("TokenTable.id", "name", `must be a MolmoAct2 special token; got ${JSON.stringify(name)}`);
  }

  /** String of a special-token id, or `undefined` for ordinary text ids. */
  name(id: number): string | undefined {
    const v = this.byId.get(id);
    if (v !== undefined) return v;
    const i = this.ids;
    if (id >= i.stateTokenStart && id < i.stateTokenStart + i.numStateTokens) return `<state_${id - i.stateTokenStart}>`;
    if (id >= i.actionTokenStart && id < i.actionTokenStart + i.numActionTokens) return `<action_${id - i.actionTokenStart}>`;
    if (id >= i.depthTokenStart && id < i.depthTokenStart + i.numDepthTokens) return `<depth_${id - i.depthTokenStart}>`;
    return undefined;
  }

  imageToken(name: ImageTokenName): number {
    return imageTokenId(this.ids, name);
  }

  stateToken(bin: number): number {
    return this.indexed("stateToken", "bin", bin, this.ids.stateTokenStart, this.ids.numStateTokens);
  }

  actionToken(bpeId: number): number {
    return this.indexed("actionToken", "bpeId", bpeId, this.ids.actionTokenStart, this.ids.numActionTokens);
  }

  depthToken(code: number): number {
    return this.indexed("depthToken", "code", code, this.ids.depthTokenStart, this.ids.numDepthTokens);
  }

  /** BPE id of an `<action_i>` token id, or -1 if the id is not an action token. */
  actionBin(id: number): number {
    const k = id - this.ids.actionTokenStart;
    return k >= 0 && k < this.ids.numActionTokens ? k : -1;
  }

  /** Code of a `<depth_i>` token id, or -1. */
  depthCode(id: number): number {
    const k = id - this.ids.depthTokenStart;
    return k >= 0 && k < this.ids.numDepthTokens ? k : -1;
  }

  /** True for `<depth_output>`, `<depth_start>`, `<depth_end>` and every `<depth_i>` (the depth gate's positions). */
  isDepthToken(id: number): boolean {
    const i = this.ids;
    return id === i.depthOutput || id === i.depthStart || id === i.depthEnd || this.depthCode(id) >= 0;
  }

  private indexed(fn: string, arg: string, k: number, start: number, count: number): number {
    if (!Number.isInteger(k) || k < 0 || k >= count) fail(`TokenTable.${fn}`, arg, `must be an integer in [0, ${count - 1}]; got ${k}`);
    return start + k;
  }
}

function imageTokenId(ids: TokenIds, name: ImageTokenName): number {
  return ids.imageTokens?.[name] ?? ids.imageTokenStart + IMAGE_TOKEN_NAMES.indexOf(name);
}

/** The default table with the released ids. */
export const MOLMOACT2_TOKENS = new TokenTable();
