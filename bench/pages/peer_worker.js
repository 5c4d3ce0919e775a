// The peer: TensorFlow.js 4.22 with its wasm backend (SIMD, one thread: no cross-origin
// isolation here, as on GitHub Pages), in a classic Web Worker like ours runs in a worker.
// Benchmark only (bench/peer.py); the packages come from .cache/bench-node, never from dist/.
/* global tf */
const TFJS = "node_modules/@tensorflow/";
importScripts(`${TFJS}tfjs/dist/tf.min.js`, `${TFJS}tfjs-backend-wasm/dist/tf-backend-wasm.min.js`);

/** Anomagram's autoencoder (app/src/components/train/models/ae.jsx): relu hidden layers, a
 * linear code layer, `output` activation on the last layer; dims e.g. [140, 7, 3, 2, 3, 7, 140]. */
function buildModel(dims, output) {
  const model = tf.sequential();
  const code = (dims.length - 1) / 2;
  for (let i = 1; i < dims.length; i++) {
    const activation = i === dims.length - 1 ? output : i === code ? "linear" : "relu";
    model.add(tf.layers.dense({ units: dims[i], activation, ...(i === 1 ? { inputShape: [dims[0]] } : {}) }));
  }
  return model;
}

async function init() {
  tf.wasm.setWasmPaths(new URL(`${TFJS}tfjs-backend-wasm/dist/`, location.href).href);
  await tf.setBackend("wasm");
  await tf.ready();
  return { backend: tf.getBackend(), version: tf.version.tfjs, simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
           threads: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT") };
}

/** One training run; the clock starts at the first epoch (model building is not timed). */
async function train({ dims, output, lr, beta1, batch, epochs, rows, X, mode }) {
  const model = buildModel(dims, output);
  const x = tf.tensor2d(X, [rows, dims[0]]);
  const optimizer = tf.train.adam(lr, beta1);
  let steps = 0;
  const t0 = performance.now();
  if (mode === "fit") {  // as Anomagram: one model.fit call per epoch
    model.compile({ optimizer, loss: "meanSquaredError" });
    for (let e = 0; e < epochs; e++) {
      await model.fit(x, x, { epochs: 1, batchSize: batch, shuffle: true, verbose: 0 });
      steps += Math.ceil(rows / batch);
    }
  } else {  // a manual loop: shuffle, gather a batch, optimizer.minimize
    for (let e = 0; e < epochs; e++) {
      const order = Int32Array.from(tf.util.createShuffledIndices(rows));
      for (let start = 0; start < rows; start += batch) {
        tf.tidy(() => {
          const xb = tf.gather(x, tf.tensor1d(order.subarray(start, start + batch), "int32"));
          optimizer.minimize(() => tf.losses.meanSquaredError(xb, model.apply(xb, { training: true })));
        });
        steps++;
      }
    }
  }
  await model.getWeights()[0].data();  // every update has landed
  const seconds = (performance.now() - t0) / 1000;
  const loss = tf.tidy(() => tf.losses.meanSquaredError(x, model.predict(x)).dataSync()[0]);
  x.dispose();
  model.dispose();
  optimizer.dispose();
  return { seconds, steps, epochs, loss };
}

/** Per-row mean squared reconstruction error of X through a model with the given weights
 * (torch layout: W (out, in)), timed `repeats` times after one warm-up call, in two forms:
 * `model.apply` on all rows at once (TF.js at its fastest) and `model.predict` with its
 * default batch of 32 rows (as Anomagram calls it). */
function score({ dims, output, weights, X, rows, repeats }) {
  const model = buildModel(dims, output);
  model.setWeights(weights.flatMap(([W, b], i) => [
    tf.tensor2d(W, [dims[i + 1], dims[i]]).transpose(), tf.tensor1d(b)]));
  const x = tf.tensor2d(X, [rows, dims[0]]);
  const forms = {
    apply: () => tf.tidy(() => tf.sub(model.apply(x), x).square().mean(1).dataSync()),
    predict: () => tf.tidy(() => tf.sub(model.predict(x), x).square().mean(1).dataSync()),
  };
  const out = { scores: Array.from(forms.apply().subarray(0, 50)) };
  for (const [form, run] of Object.entries(forms)) {
    run();
    const ms = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      run();
      ms.push(performance.now() - t0);
    }
    out[form] = ms;
  }
  x.dispose();
  model.dispose();
  return out;
}

const HANDLERS = { init, train, score };
onmessage = async ({ data: { id, type, payload } }) => {
  try {
    postMessage({ id, ok: true, result: await HANDLERS[type](payload) });
  } catch (err) {
    postMessage({ id, ok: false, error: { message: String(err && err.stack || err) } });
  }
};
