// The feed's history, free of the DOM: which play positions a filter keeps, and the CSV of
// the kept connections. Categories and "novel" flags come from Python (the load reply's
// `labels`); verdicts compare each strategy's score with its current threshold, as everywhere.

/** The feed's filters: what to show, for which strategy ("" = any running one). */
export const SHOW = {
  all: "all connections",
  fn: "missed attacks (false negatives)",
  fp: "false alarms (false positives)",
  mistakes: "every mistake",
  novel: "novel attack types",
};

/**
 * A predicate over play positions.
 * @param {{show: string, strategy: string, type: number}} filter - type: a label code, or -1
 * @param {{tracks: object[], truth: Uint8Array, typeAt: (p: number) => number,
 *   novel: boolean[]}} view - running tracks, truth and label code by play position, and
 *   which label codes are novel types
 * @returns {(p: number) => boolean}
 */
export function filterOf({ show, strategy, type }, { tracks, truth, typeAt, novel }) {
  const judged = strategy ? tracks.filter((t) => t.name === strategy) : tracks;
  const wrong = (p, want) => judged.some((t) => p < t.scored && t.flagged(p) !== Boolean(truth[p]) && want(t.flagged(p)));
  const byShow = {
    all: () => true,
    fn: (p) => wrong(p, (flagged) => !flagged),
    fp: (p) => wrong(p, (flagged) => flagged),
    mistakes: (p) => wrong(p, () => true),
    novel: (p) => novel[typeAt(p)] === true,
  };
  const keep = byShow[show] ?? byShow.all;
  if (type < 0) return keep;
  return (p) => typeAt(p) === type && keep(p);
}

/** Positions [0, tick) that `keep` keeps, newest first (Int32Array). */
export function keptPositions(keep, tick) {
  const out = new Int32Array(tick);
  let k = 0;
  for (let p = tick - 1; p >= 0; p--) if (keep(p)) out[k++] = p;
  return out.subarray(0, k);
}

/** The shortest decimal text that reads back as the same float32 value (0.11, not
 * 0.10999999940395355): the values of the stream file are float32. */
export function float32Text(v) {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(text)) === v) return text;
  }
  return String(Number(v.toPrecision(9)));
}

/** One CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(value) {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The CSV of the connections at `positions`, one line each: position (1-based), the table
 * row, label, category, novel, the 41 fields as the file writes them, then per strategy its
 * score, threshold and verdict.
 * @param {Int32Array|number[]} positions
 * @param {{data: object, order: Int32Array, tracks: object[]}} view - the load reply, the
 *   play order and the strategies to include
 * @returns {string}
 */
export function historyCsv(positions, { data, order, tracks }) {
  const names = data.feature_names;
  const head = ["position", "row", "label", "category", "novel", ...names,
    ...tracks.flatMap((t) => [`${t.name}_score`, `${t.name}_threshold`, `${t.name}_verdict`])];
  const lines = [head.map(csvField).join(",")];
  const width = names.length;
  for (const p of positions) {
    const r = order[p];
    const code = data.label.data[r];
    const fields = names.map((name, j) => {
      const v = data.features.data[r * width + j];
      const vocab = data.vocabularies[name];
      return vocab ? (vocab[v] ?? String(v)) : float32Text(v);
    });
    const verdicts = tracks.flatMap((t) => (p < t.scored
      ? [String(t.scores[p]), String(t.threshold), t.flagged(p) ? "attack" : "normal"]
      : ["", String(t.threshold), "not scored"]));
    const row = [p + 1, r, data.label_names[code], data.labels.category[code],
      data.labels.novel[code] ? "yes" : "no", ...fields, ...verdicts];
    lines.push(row.map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
