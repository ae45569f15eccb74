/**
 * Float64 reference of the MolmoAct2 action expert forward (B = 1), written from the spec prose (molmoact2.md
 * §3.2/§4.1) out of the nn references; independent of tfjs and of the library's expert.
 */
import { attentionRef, linearRef, matmul, rmsRef, ropeRef, siluRef, sinusoidRef, swigluRef, type F64 } from "../nn/reference.js";

export interface RefExpertConfig {
  h: number; L: number; heads: number; nkv: number; hdl: number; A: number; tdim: number; inner: number;
  /** RoPE in self-attention (default true); without it the scores take the plain 1/√hd. */
  rope?: boolean;
}

/**
 * Reference MolmoAct2 expert forward (B = 1), molmoact2.md §3.2/§4.1, written from the spec prose.
 * `P` maps reference names (without prefix) to float64 arrays in [in, out] layout.
 */
export function expertRef(
  c: RefExpertConfig, P: Record<string, ArrayLike<number>>, kv: { k: ArrayLike<number>; v: ArrayLike<number> }[], T: number,
  visible: ArrayLike<number>, x: ArrayLike<number>, H: number, t: number,
): F64 {
  const { h, heads } = c;
  const hd = h / heads;
  const kvDim = c.nkv * c.hdl;
  // time conditioning
  const e = sinusoidRef(t, c.tdim);
  const c1 = linearRef(e, 1, P["time_embed.1.weight"], c.tdim, h, P["time_embed.1.bias"]).map(siluRef);
  const cond = linearRef(c1, 1, P["time_embed.3.weight"], h, h, P["time_embed.3.bias"]);
  const sc = cond.map(siluRef);
  const mask = new Float64Array(T);
  for (let j = 0; j < T; j++) mask[j] = visible[j] ? 0 : -1e9;
  const modulate = (xx: F64, shift: F64, scale: F64) => {
    const y = rmsRef(xx, h);
    for (let i = 0; i < H; i++) for (let j = 0; j < h; j++) y[i * h + j] = y[i * h + j] * (1 + scale[j]) + shift[j];
    return y;
  };
  let xa: F64;
  const xpad = new Float64Array(H * c.A);
  const Ain = x.length / H;
  for (let i = 0; i < H; i++) for (let j = 0; j < Ain; j++) xpad[i * c.A + j] = x[i * Ain + j];
  xa = linearRef(xpad, H, P["action_embed.weight"], c.A, h, P["action_embed.bias"]);
  const pos = Array.from({ length: H }, (_, i) => i);
  for (let l = 0; l < c.L; l++) {
    const b = `blocks.${l}.`;
    const m = linearRef(sc, 1, P[b + "modulation.linear.weight"], h, 9 * h, P[b + "modulation.linear.bias"]);
    const part = (i: number) => m.subarray(i * h, (i + 1) * h);
    // context
    const kc = rmsRef(rmsRef(matmul(kv[l].k, T, kvDim, P["context_k_proj.weight"], h), h), hd);
    const vc = rmsRef(matmul(kv[l].v, T, kvDim, P["context_v_proj.weight"], h), h);
    // self
    let y = modulate(xa, part(0), part(1));
    const qkv = linearRef(y, H, P[b + "self_attn.qkv.weight"], h, 3 * h, P[b + "self_attn.qkv.bias"]);
    const q = new Float64Array(H * h), k = new Float64Array(H * h), v = new Float64Array(H * h);
    for (let i = 0; i < H; i++) for (let j = 0; j < h; j++) {
      q[i * h + j] = qkv[i * 3 * h + j];
      k[i * h + j] = qkv[i * 3 * h + h + j];
      v[i * h + j] = qkv[i * 3 * h + 2 * h + j];
    }
    const rope = c.rope ?? true;
    const qr = rope ? ropeRef(rmsRef(q, hd), H, heads, hd, pos, 10000) : rmsRef(q, hd);
    const kr = rope ? ropeRef(rmsRef(k, hd), H, heads, hd, pos, 10000) : rmsRef(k, hd);
    const sa = linearRef(attentionRef(qr, kr, v, H, heads, H, heads, hd), H, P[b + "self_attn.out_proj.weight"], h, h, P[b + "self_attn.out_proj.bias"]);
    for (let i = 0; i < H * h; i++) xa[i] += part(2)[i % h] * sa[i];
    y = modulate(xa, part(3), part(4));
    const cq = rmsRef(linearRef(y, H, P[b + "cross_attn.q_proj.weight"], h, h, P[b + "cross_attn.q_proj.bias"]), hd);
    const ca = linearRef(attentionRef(cq, kc, vc, H, heads, T, heads, hd, { mask, maskRows: 1 }), H, P[b + "cross_attn.out_proj.weight"], h, h, P[b + "cross_attn.out_proj.bias"]);
    for (let i = 0; i < H * h; i++) xa[i] += part(5)[i % h] * ca[i];
    y = modulate(xa, part(6), part(7));
    const mo = swigluRef(y, H, h, c.inner, h, {
      wg: P[b + "mlp.gate_proj.weight"], bg: P[b + "mlp.gate_proj.bias"],
      wu: P[b + "mlp.up_proj.weight"], bu: P[b + "mlp.up_proj.bias"],
      wd: P[b + "mlp.down_proj.weight"], bd: P[b + "mlp.down_proj.bias"],
    });
    for (let i = 0; i < H * h; i++) xa[i] += part(8)[i % h] * mo[i];
  }
  const fm = linearRef(sc, 1, P["final_layer.modulation.linear.weight"], h, 2 * h, P["final_layer.modulation.linear.bias"]);
  const y = modulate(xa, fm.subarray(0, h), fm.subarray(h, 2 * h));
  const out = linearRef(y, H, P["final_layer.linear.weight"], h, c.A, P["final_layer.linear.bias"]);
  const res = new Float64Array(H * Ain);
  for (let i = 0; i < H; i++) for (let j = 0; j < Ain; j++) res[i * Ain + j] = out[i * c.A + j];
  return res;
}
