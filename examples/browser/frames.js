// Camera frames in the page: PNG files decoded to the exact RGB bytes (no colour management, no alpha
// premultiplication: the same bytes pngjs gives in Node), the changed-cell overlay, and the webcam loop.

/** Packed RGB (`{ data, width, height, channels: 3 }`) from RGBA `ImageData`. */
export function rgbFromImageData(img) {
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  const src = img.data;
  for (let p = 0, s = 0, d = 0; p < n; p++, s += 4, d += 3) {
    data[d] = src[s];
    data[d + 1] = src[s + 1];
    data[d + 2] = src[s + 2];
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

/** Fetch and decode an image file: `{ rgb, bitmap }` (the bitmap is for drawing). */
export async function loadFrame(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`loadFrame: ${url} answered HTTP ${res.status}`);
  const bitmap = await createImageBitmap(await res.blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const rgb = rgbFromImageData(ctx.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: "srgb" }));
  return { rgb, bitmap };
}

/** SHA-256 of bytes as hex (the golden files record the frames' RGB hashes). */
export async function sha256Hex(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Draw `source` (ImageBitmap, video or canvas) on `canvas`, the 10×10 depth grid over it, and the cells of
 * `mask` (1 = changed) as red boxes. The grid cells are the detector's (the frame is squashed to 320×320 for
 * the comparison, so on a 4:3 frame a cell is a 4:3 box). Returns the number of boxes drawn.
 */
export function drawOverlay(canvas, source, mask, grid = 10) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width;
  const H = canvas.height;
  ctx.drawImage(source, 0, 0, W, H);
  const cw = W / grid;
  const ch = H / grid;
  ctx.lineWidth = 1;
  ctx.strokeStyle = "rgba(255,255,255,0.35)";
  ctx.beginPath();
  for (let k = 1; k < grid; k++) {
    ctx.moveTo(k * cw, 0);
    ctx.lineTo(k * cw, H);
    ctx.moveTo(0, k * ch);
    ctx.lineTo(W, k * ch);
  }
  ctx.stroke();
  let n = 0;
  ctx.lineWidth = 3;
  ctx.strokeStyle = "#ff2d2d";
  ctx.fillStyle = "rgba(255,45,45,0.22)";
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    const x = (k % grid) * cw;
    const y = Math.floor(k / grid) * ch;
    ctx.fillRect(x, y, cw, ch);
    ctx.strokeRect(x + 1.5, y + 1.5, cw - 3, ch - 3);
    n++;
  }
  return n;
}

/**
 * Start the webcam into `video` and call `onFrame(rgb, video)` for each new frame, at most `maxFps` per
 * second, one at a time. Returns `{ stop }`. Throws (with the browser's reason) when the camera is refused.
 */
export async function startWebcam(video, onFrame, { maxFps = 15, width = 640, height = 480 } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error("this browser has no camera API (navigator.mediaDevices.getUserMedia)");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: width }, height: { ideal: height } }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  const canvas = new OffscreenCanvas(1, 1);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let stopped = false;
  let last = 0;
  let busy = false;
  const tick = async (t) => {
    if (stopped) return;
    if (!busy && t - last >= 1000 / maxFps && video.videoWidth > 0) {
      busy = true;
      last = t;
      try {
        if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
        }
        ctx.drawImage(video, 0, 0);
        await onFrame(rgbFromImageData(ctx.getImageData(0, 0, canvas.width, canvas.height)), video);
      } finally {
        busy = false;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return {
    stop() {
      stopped = true;
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
    },
  };
}
