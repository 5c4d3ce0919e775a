// The pile grid of the stream's "Visualized" section (stream/pile_layout.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { MIN_CELL, cellsAround, pileCell, pileLayout, pileSquareAt } from "../../web/static/js/stream/pile_layout.js";

test("the grid holds the whole stream with a spare column and fits the width", () => {
  for (const [n, width] of [[10_000, 1200], [10_000, 300], [10_000, 60], [7, 500], [1, 60]]) {
    const g = pileLayout(n, width);
    assert.ok(g.cell >= MIN_CELL && MIN_CELL >= 4 && g.cols >= 3, JSON.stringify(g));
    assert.ok((g.cols - 1) * g.rows >= n, `${n} squares fit (${JSON.stringify(g)})`);
    assert.equal(g.width, g.cols * g.cell);
    assert.equal(g.height, g.rows * g.cell);
    if (width >= 3 * MIN_CELL) assert.ok(g.width <= width, `${width}: ${g.width}`);
  }
});

test("a wider canvas never gets smaller squares", () => {
  let previous = 0;
  for (let width = 100; width <= 2000; width += 100) {
    const { cell } = pileLayout(10_000, width);
    assert.ok(cell >= previous, `${width}: ${cell} < ${previous}`);
    previous = cell;
  }
});

test("piles grow from their own edge, bottom-up, column by column", () => {
  const g = { cell: 4, cols: 5, rows: 3, width: 20, height: 12 };
  assert.deepEqual(pileCell(g, 0, true), [0, 8]);      // bottom-left
  assert.deepEqual(pileCell(g, 2, true), [0, 0]);      // top of the first column
  assert.deepEqual(pileCell(g, 3, true), [4, 8]);      // next column in
  assert.deepEqual(pileCell(g, 0, false), [16, 8]);    // bottom-right
  assert.deepEqual(pileCell(g, 3, false), [12, 8]);
});

test("the two piles of a full stream never share a cell", () => {
  const n = 500;
  const g = pileLayout(n, 200);
  for (const attacks of [0, 1, 137, n - 1, n]) {
    const seen = new Set();
    for (let k = 0; k < attacks; k++) seen.add(String(pileCell(g, k, true)));
    for (let k = 0; k < n - attacks; k++) {
      const key = String(pileCell(g, k, false));
      assert.ok(!seen.has(key), `${attacks} attacks: cell ${key} used twice`);
      seen.add(key);
    }
  }
});

test("every square is found again from its cell, and empty cells are empty", () => {
  const g = pileLayout(300, 120);
  for (const [nAttack, nNormal] of [[0, 300], [137, 163], [300, 0], [10, 20]]) {
    const found = new Map();
    for (let col = -1; col <= g.cols; col++) {
      for (let row = -1; row <= g.rows; row++) {
        const square = pileSquareAt(g, col, row, nAttack, nNormal);
        if (square) found.set(`${square.attackSide}:${square.k}`, String(pileCell(g, square.k, square.attackSide)));
        if (square) assert.deepEqual(pileCell(g, square.k, square.attackSide), [col * g.cell, row * g.cell]);
      }
    }
    assert.equal(found.size, nAttack + nNormal, `${nAttack} attacks: every square in one cell`);
  }
});

test("the cells under a ring are those it overlaps, inside the grid", () => {
  const g = { cell: 4, cols: 5, rows: 3, width: 20, height: 12 };
  assert.deepEqual(cellsAround(g, 8, 4, 0), [[2, 1]], "no reach: its own cell");
  assert.deepEqual(cellsAround(g, 8, 4, 4).length, 9, "a reach of one cell: the 3x3 block");
  assert.deepEqual(cellsAround(g, 0, 0, 4), [[0, 0], [0, 1], [1, 0], [1, 1]], "cut at the grid's corner");
  assert.deepEqual(cellsAround(g, 16, 8, 3), [[3, 1], [3, 2], [4, 1], [4, 2]]);
  const wide = cellsAround({ ...g, cell: 2, cols: 10, rows: 6 }, 8, 6, 3);
  assert.deepEqual(wide.length, 25, "3 px over 2 px cells: two cells a side (5 x 5)");
});
