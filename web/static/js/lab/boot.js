// What the lab's Python worker loads before it is ready: the options the worker was started
// with by the page's first script (lab/first_paint.js, a classic script ahead of every module).
// lab_app.js boots its PythonClient with them, which therefore adopts that early worker.
const early = globalThis.anomascopeEarlyWorker;
if (!early) throw new Error("the lab's first script (lab/first_paint.js) did not run");

/** {datasets, modelDataset, schema}: the data sets, the models' data set and the sections of
 *  Python's schema the lab uses. */
export const LAB_BOOT = early.boot;
