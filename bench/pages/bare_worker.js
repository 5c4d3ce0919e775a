// The stock runtime, the benchmark's anchor: Pyodide's official files as downloaded and
// checked by the build (uncompiled stdlib, the official lock), served under /__bench/stock/
// by bench/startup.py, with nothing of ours: Pyodide + numpy in a worker.
import { loadPyodide } from "./stock/pyodide.mjs";
const pyodide = await loadPyodide({ indexURL: new URL("./stock/", import.meta.url).href });
await pyodide.loadPackage("numpy", { messageCallback: () => {} });
pyodide.runPython("import numpy");
postMessage("true");
