// The lab follows its address: the hash read at start, and a hash edited by hand or reached
// with back and forward (see url_state.js for the format). A value the link leaves out takes
// its default, as when the link is opened afresh.
import { readHash, hashOf } from "./url_state.js";

/** @param {{state, $, notify, clearNotice, filteredIndices, selectModel, selectBeat,
 *  setThreshold, setSection}} app - the page's state and its functions (see lab_app.js) */
export function createLinkActions(app) {
  const { state, $ } = app;
  let follows = 0;

  function read() {
    return readHash(location.hash, state.models.map((m) => m.name), state.ecg.test_y.data.length,
                    Object.keys(state.ecg.class_names));
  }

  async function follow() {
    if (location.hash === hashOf(state)) return;
    const turn = ++follows;
    const { values, problems } = read();
    if (problems.length) app.notify(`Some settings in the link could not be used: ${problems.join("; ")}.`, "hash");
    else app.clearNotice("hash");
    // The whole view the link names is set at once, so no half-followed hash is written back.
    state.section = values.section ?? "viewer";
    state.addressSection = state.section;
    state.classFilter = values.filter ?? "all";
    $("class-filter").value = state.classFilter;
    state.source = "test";
    state.selected = values.beat ?? app.filteredIndices()[0] ?? 0;
    state.pageToSelected = true;
    const model = values.model ?? state.models[0].name;
    if (model !== state.model) {
      await app.selectModel(model, { threshold: values.threshold });
    } else {
      app.setThreshold(values.threshold ?? state.models.find((m) => m.name === model).threshold);
      await app.selectBeat(state.selected, "test");
    }
    if (turn === follows) app.setSection(state.section);
  }

  function wire() {
    // Back and forward between entries the page pushed fire popstate; a hand-edited hash fires
    // hashchange (and popstate); the second call finds the view already there.
    for (const type of ["hashchange", "popstate"]) {
      window.addEventListener(type, () => {
        follow().catch((err) => app.notify(`Could not follow the link: ${err.message}`, "hash"));
      });
    }
  }

  return { read, follow, wire };
}
