// The data page's requests, timed in the site's own worker through its own client
// (bench/tables.py). The generated CSV files come from /__bench/gen/, routed by Playwright.
import { PythonClient } from "../static/js/common/client.js";

const python = new PythonClient({ boot: { datasets: [], modelDataset: null } });

async function fileBytes(name) {
  const response = await fetch(`gen/${name}.csv`);
  if (!response.ok) throw new Error(`bench: gen/${name}.csv: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function fitPayload(kind, cols) {
  return {
    features: Array.from({ length: cols }, (_, j) => `c${j + 1}`),
    label_column: null, anomaly_values: [], mode: "table",
    detectors: [{ kind, params: {} }], supervision: "unsupervised",
    threshold_rule: { rule: "contamination", value: 1.0 }, seed: 0,
  };
}

async function timed(fn) {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

// One run of every figure; milliseconds, keyed as bench/tables.py's native run.
async function run(kinds) {
  const out = {};
  const files = { big: await fileBytes("big"), fit: await fileBytes("fit"),
                  score: await fileBytes("score") };
  [out["load_profile_200k_x12"]] = await timed(
    () => python.request("table_load", { bytes: files.big, name: "big.csv" }));
  await python.request("table_load", { bytes: files.fit, name: "fit.csv" });
  const models = {};
  for (const kind of kinds) {
    [out[`fit_and_score_10k_x20.${kind}`]] = await timed(async () => {
      await python.request("table_fit_start", fitPayload(kind, 20));
      while (!(await python.request("table_fit_step", {})).done) { /* next slice */ }
    });
    const results = await python.request("table_results", {});
    out[`fit_10k_x20.${kind}`] = results.detectors[0].fit_seconds * 1000;
    models[kind] = await python.request("table_export_model", { kind, name: kind });
  }
  await python.request("table_load", { bytes: files.score, name: "score.csv" });
  for (const kind of kinds) {
    const { manifest, npz } = models[kind];
    [out[`score_200k_x20.${kind}`]] = await timed(
      () => python.request("table_upload_model", { manifest, npz }));
  }
  return out;
}

await python.ready;
window.benchTables = { run };
document.documentElement.dataset.appReady = "true";
