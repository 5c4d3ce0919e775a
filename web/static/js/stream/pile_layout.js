// The arithmetic of the "Visualized" piles, free of the DOM: the grid that holds a whole stream
// and the cell of the k-th square of a pile. Connections called attacks pile from the left edge,
// those called normal from the right edge, column by column from the outside in, each column
// filling bottom-up; one spare column keeps two partly filled columns from colliding.

/** Grid for n squares in a canvas `widthPx` device pixels wide, about `aspect` times as high
 * as wide: {cell (px), cols, rows, width, height}. Cells are at least MIN_CELL px (an attack's
 * large square and a normal connection's small one stay apart), columns at least 3. */
export const MIN_CELL = 4;

export function pileLayout(n, widthPx, aspect = 0.5) {
  const target = Math.max(MIN_CELL, Math.floor(Math.sqrt((widthPx * widthPx * aspect) / n)));
  for (let cell = target; cell >= MIN_CELL; cell--) {
    const cols = Math.floor(widthPx / cell);
    if (cols < 3) continue;
    const rows = Math.ceil(n / (cols - 1));
    return { cell, cols, rows, width: cols * cell, height: rows * cell };
  }
  const cols = Math.max(3, Math.floor(widthPx / MIN_CELL));
  const rows = Math.ceil(n / (cols - 1));
  return { cell: MIN_CELL, cols, rows, width: cols * MIN_CELL, height: rows * MIN_CELL };
}

/** Top-left pixel [x, y] of the k-th square (from 0) of the attack pile (from the left edge)
 * or the normal pile (from the right edge) in `layout`. */
export function pileCell(layout, k, attackSide) {
  const { rows, cols, cell } = layout;
  const col = Math.floor(k / rows);
  const row = rows - 1 - (k % rows);
  return [(attackSide ? col : cols - 1 - col) * cell, row * cell];
}

/** The square in grid cell (col, row), given the piles' sizes: {attackSide, k} (the k-th square
 * of that pile), or null for an empty cell. */
export function pileSquareAt(layout, col, row, nAttack, nNormal) {
  const { rows, cols } = layout;
  if (row < 0 || row >= rows || col < 0 || col >= cols) return null;
  const k = (c) => c * rows + (rows - 1 - row);
  if (k(col) < nAttack) return { attackSide: true, k: k(col) };
  if (k(cols - 1 - col) < nNormal) return { attackSide: false, k: k(cols - 1 - col) };
  return null;
}

/** Grid cells [col, row] that the square of the cell at pixel (x, y) touches when it reaches
 * `reach` px beyond its cell on every side (the newest-square ring), inside the grid. */
export function cellsAround(layout, x, y, reach) {
  const { rows, cols, cell } = layout;
  const span = (from, to, count) => [Math.max(0, Math.floor(from / cell)), Math.min(count - 1, Math.floor((to - 1) / cell))];
  const [c0, c1] = span(x - reach, x + cell + reach, cols);
  const [r0, r1] = span(y - reach, y + cell + reach, rows);
  const out = [];
  for (let c = c0; c <= c1; c++) for (let r = r0; r <= r1; r++) out.push([c, r]);
  return out;
}
