// first_paint.js reads the lab's .npz data file in plain JS: stored and deflated members.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readNpz } from "../../web/static/js/lab/first_paint.js";

const fixture = (name) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

for (const name of ["beats_stored.npz", "beats_deflated.npz"]) {
  test(`readNpz reads the arrays of ${name} as numpy wrote them`, async () => {
    const { test_X: X, test_y: y } = await readNpz(fixture(name), ["test_X", "test_y"]);
    assert.deepEqual(X.shape, [2, 3]);
    assert.ok(X.data instanceof Float32Array);
    assert.deepEqual(Array.from(X.data), [1.5, -2.25, 3, 0.125, 4, -1]);
    assert.deepEqual(y.shape, [2]);
    assert.deepEqual(Array.from(y.data), [1, 3]);
  });
}

test("readNpz names an array the file does not hold", async () => {
  await assert.rejects(readNpz(fixture("beats_stored.npz"), ["train_X"]), /train_X is missing/);
});

test("readNpz refuses bytes that are not a zip file", async () => {
  await assert.rejects(readNpz(new Uint8Array(64), ["test_X"]), /not a zip file/);
});
