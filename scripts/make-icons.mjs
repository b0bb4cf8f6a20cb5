// Runtime: Node (dev script). Draws the add-in icons (assets/icon-{16,32,64,80,128}.png) procedurally,
// so they can be regenerated and reviewed: a blue rounded square, a white envelope, a green check badge.
// Usage: node scripts/make-icons.mjs
import { PNG } from 'pngjs';
import { writeFileSync, mkdirSync } from 'node:fs';

const SIZES = [16, 20, 24, 32, 40, 48, 64, 80, 128];
const BLUE = [0, 83, 179];
const WHITE = [255, 255, 255];
const GREEN = [24, 160, 88];

/** Signed distance helpers, in unit coordinates (0..1). */
const sdRoundBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const sdSegment = (x, y, ax, ay, bx, by) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * h, py - dy * h);
};

function shade(x, y, px) {
  // layers from back to front: [distance, colour]; coverage from distance with 1-pixel antialiasing
  const layers = [];
  layers.push([sdRoundBox(x, y, 0.5, 0.5, 0.5, 0.5, 0.18), BLUE]);
  // envelope body (outline) and flap
  const stroke = Math.max(0.045, 1.2 / px);
  const body = Math.abs(sdRoundBox(x, y, 0.44, 0.5, 0.3, 0.2, 0.03)) - stroke / 2;
  const flap = Math.min(sdSegment(x, y, 0.15, 0.31, 0.44, 0.53), sdSegment(x, y, 0.44, 0.53, 0.73, 0.31)) - stroke / 2;
  layers.push([Math.min(body, flap), WHITE]);
  // check badge bottom-right
  layers.push([Math.hypot(x - 0.74, y - 0.72) - 0.2, GREEN]);
  const tick = Math.min(sdSegment(x, y, 0.65, 0.72, 0.715, 0.79), sdSegment(x, y, 0.715, 0.79, 0.84, 0.65)) - stroke / 2;
  layers.push([tick, WHITE]);
  let r = 0, g = 0, b = 0, a = 0;
  for (const [d, c] of layers) {
    const cov = Math.max(0, Math.min(1, 0.5 - d * px));
    r = r * (1 - cov) + c[0] * cov; g = g * (1 - cov) + c[1] * cov; b = b * (1 - cov) + c[2] * cov;
    a = a * (1 - cov) + cov;
  }
  const outer = Math.max(0, Math.min(1, 0.5 - layers[0][0] * px));
  return [r, g, b, Math.min(a, outer)];
}

mkdirSync(new URL('../assets/', import.meta.url), { recursive: true });
for (const size of SIZES) {
  const png = new PNG({ width: size, height: size });
  const ss = 4; // supersampling
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    let acc = [0, 0, 0, 0];
    for (let sj = 0; sj < ss; sj++) for (let si = 0; si < ss; si++) {
      const [r, g, b, al] = shade((i + (si + 0.5) / ss) / size, (j + (sj + 0.5) / ss) / size, size * ss);
      acc = [acc[0] + r * al, acc[1] + g * al, acc[2] + b * al, acc[3] + al];
    }
    const o = (j * size + i) * 4;
    const al = acc[3] / (ss * ss);
    png.data[o] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
    png.data[o + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
    png.data[o + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
    png.data[o + 3] = Math.round(al * 255);
  }
  writeFileSync(new URL(`../assets/icon-${size}.png`, import.meta.url), PNG.sync.write(png));
}
console.log(`icônes écrites : ${SIZES.join(', ')} px`);
