// Draws service/assets/sample.jpg, the demo job's bundled image: a colour gradient with an asymmetric "F"
// block so each flip axis is visible at a glance. Generated, so it carries the project's own licence.
// Run: npx tsx service/scripts/make-sample-image.ts
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Jimp } from 'jimp';

const WIDTH = 800;
const HEIGHT = 533;

function inLetterF(x: number, y: number): boolean {
  const left = 120;
  const top = 90;
  const stroke = 60;
  const stem = x >= left && x < left + stroke && y >= top && y < top + 360;
  const topBar = y >= top && y < top + stroke && x >= left && x < left + 260;
  const middleBar = y >= top + 150 && y < top + 150 + stroke && x >= left && x < left + 180;
  return stem || topBar || middleBar;
}

async function main(): Promise<void> {
  const image = new Jimp({ width: WIDTH, height: HEIGHT });
  const { data } = image.bitmap;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const offset = (y * WIDTH + x) * 4;
      const letter = inLetterF(x, y);
      data[offset] = letter ? 250 : Math.round((255 * x) / WIDTH);
      data[offset + 1] = letter ? 250 : Math.round((255 * y) / HEIGHT);
      data[offset + 2] = letter ? 240 : 160;
      data[offset + 3] = 255;
    }
  }
  const jpeg = await image.getBuffer('image/jpeg', { quality: 85 });
  await writeFile(join(__dirname, '..', 'assets', 'sample.jpg'), jpeg);
}

void main();
